/**
 * Standard Webhooks (https://www.standardwebhooks.com) verification of linkpay's deliveries:
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>[ v1,<…>]`,
 * keyed by the base64 part of the endpoint secret `whsec_…`.
 *
 * Rotation overlap works both ways: while an endpoint's previous secret has not expired,
 * linkpay sends one signature per secret, and a receiver may hold several secrets (the new
 * one it just deployed and the one it is retiring). Any signature made by any secret passes.
 */

import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { decodeBase64, encodeBase64 } from "./base64.js";
import { WebhookError } from "./errors.js";
import { parseI64, splitWhitespace, trim, utf8 } from "./text.js";

export const WEBHOOK_SECRET_PREFIX = "whsec_";
/** How far a delivery's timestamp may be from the receiver's clock, as the spec recommends. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECS = 300;

/** Request headers: a fetch `Headers`, Node's `req.headers`, or a plain object. */
export type HeadersLike =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyWebhookOptions {
  /** The raw request body, exactly as received: parsing and re-serialising JSON changes it. */
  body: string | Uint8Array;
  headers: HeadersLike;
  /** The endpoint's secret `whsec_…`, or several while you rotate it. */
  secret: string | readonly string[];
  /** The clock, in unix seconds (default: now). */
  now?: number | undefined;
  /** Default 300 seconds. */
  toleranceSecs?: number | undefined;
}

export interface VerifiedWebhook {
  /** `webhook-id`: the event id, the same on every retry. Dedupe on it. */
  id: string;
  /** `webhook-timestamp`, unix seconds. */
  timestamp: number;
  /** The body as text (UTF-8); `JSON.parse` it for the event. */
  body: string;
}

function parseSecret(secret: string): Buffer {
  const bytes = secret.startsWith(WEBHOOK_SECRET_PREFIX)
    ? decodeBase64(secret.slice(WEBHOOK_SECRET_PREFIX.length))
    : undefined;
  if (bytes === undefined || bytes.length < 24) {
    throw new WebhookError("bad_secret", "webhook secret must be whsec_ followed by base64 of at least 24 bytes");
  }
  return bytes;
}

function header(headers: HeadersLike, name: string): string | undefined {
  if (typeof headers.get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    // Repeated headers: their values joined, as one header would carry them.
    return typeof value === "string" ? value : (value as readonly string[]).join(" ");
  }
  return undefined;
}

function sign(key: Buffer, id: string, timestamp: bigint, body: Uint8Array): Buffer {
  return createHmac("sha256", key).update(utf8(`${id}.${timestamp}.`)).update(body).digest();
}

/**
 * Verifies a delivery. Returns its id, timestamp and body, or throws `WebhookError` with
 * `code` `bad_secret`, `missing_header`, `bad_timestamp`, `timestamp_out_of_tolerance` or
 * `no_matching_signature`.
 */
export function verifyWebhook(options: VerifyWebhookOptions): VerifiedWebhook {
  const secrets = typeof options.secret === "string" ? [options.secret] : options.secret;
  if (secrets.length === 0) throw new WebhookError("bad_secret", "no webhook secret given");
  const keys = secrets.map(parseSecret);
  const id = header(options.headers, "webhook-id");
  const rawTimestamp = header(options.headers, "webhook-timestamp");
  const signatures = header(options.headers, "webhook-signature");
  for (const [name, value] of [["webhook-id", id], ["webhook-timestamp", rawTimestamp], ["webhook-signature", signatures]]) {
    if (value === undefined) throw new WebhookError("missing_header", `the ${name} header is missing`);
  }
  const timestamp = parseI64(trim(rawTimestamp ?? ""));
  if (timestamp === undefined) throw new WebhookError("bad_timestamp", "webhook-timestamp is missing or not a number");
  const now = BigInt(Math.floor(options.now ?? Date.now() / 1000));
  const tolerance = BigInt(options.toleranceSecs ?? DEFAULT_WEBHOOK_TOLERANCE_SECS);
  const skew = now - timestamp;
  if (skew > tolerance || -skew > tolerance) {
    throw new WebhookError("timestamp_out_of_tolerance", "webhook-timestamp is outside the tolerance");
  }
  const body = typeof options.body === "string" ? utf8(options.body) : options.body;
  // The timestamp as parsed, as the sender formatted it when signing.
  const expected = keys.map((key) => sign(key, id ?? "", timestamp, body));
  let matched = false;
  for (const sig of splitWhitespace(signatures ?? "")) {
    if (!sig.startsWith("v1,")) continue; // other versions are skipped, per the spec
    const candidate = decodeBase64(sig.slice(3));
    if (candidate === undefined) continue;
    for (const mac of expected) {
      // Every comparison runs, so the time taken does not say which secret matched.
      if (candidate.length === mac.length && timingSafeEqual(candidate, mac)) matched = true;
    }
  }
  if (!matched) throw new WebhookError("no_matching_signature", "no webhook-signature matches");
  return { id: id ?? "", timestamp: Number(timestamp), body: Buffer.from(body).toString("utf8") };
}

/**
 * The `webhook-signature` value linkpay would send for one message: for tests of your own
 * receiver.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string | Uint8Array): string {
  const bytes = typeof body === "string" ? utf8(body) : body;
  return `v1,${encodeBase64(sign(parseSecret(secret), id, BigInt(timestamp), bytes))}`;
}
