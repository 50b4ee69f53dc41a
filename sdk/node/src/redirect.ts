/**
 * The signed redirect back to a merchant's return URL (docs/redirects.md). The eleven
 * fields, sorted by name, each `name=value` percent-encoded per RFC 3986, joined by `&`, are
 * signed as `v1=` + hex(HMAC-SHA256(secret text `rsec_…`, canonical string)).
 */

import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { RedirectError } from "./errors.js";
import { parseForm } from "./form.js";
import { parseI64, utf8 } from "./text.js";

export const RETURN_SECRET_PREFIX = "rsec_";
export const DEFAULT_REDIRECT_TOLERANCE_SECS = 300;
/** The signed fields of v1, in canonical (sorted) order. */
export const REDIRECT_FIELDS = [
  "amount",
  "charge_id",
  "currency",
  "email",
  "free1",
  "free2",
  "free3",
  "link_id",
  "rc",
  "reference",
  "timestamp",
] as const;
export type RedirectField = (typeof REDIRECT_FIELDS)[number];

/**
 * What the merchant's server received: the query string or form body as text, a
 * `URLSearchParams`, `[name, value]` pairs, or a parsed object such as Express's `req.query`
 * or `req.body` (a repeated name as an array).
 */
export type Received =
  | string
  | URLSearchParams
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, unknown>>;

export interface VerifyRedirectOptions {
  received: Received;
  /** The return URL's secret, `rsec_…`. */
  secret: string;
  /** The clock, in unix seconds (default: now). */
  now?: number | undefined;
  /** Default 300 seconds. */
  toleranceSecs?: number | undefined;
}

export interface VerifiedRedirect {
  /** `"0"` paid, `"9"` not paid (declined, failed or expired). */
  rc: "0" | "9";
  paid: boolean;
  /** The link's reference (your order number); `""` if it has none. */
  reference: string;
  link_id: string;
  charge_id: string;
  /** Minor units. */
  amount: number;
  currency: string;
  /** The email the buyer typed on the pay page; `""` if none. */
  email: string;
  free1: string;
  free2: string;
  free3: string;
  /** Unix seconds, when linkpay sent the buyer back. */
  timestamp: number;
}

function secretKey(secret: string): Buffer {
  const body = secret.startsWith(RETURN_SECRET_PREFIX) ? secret.slice(RETURN_SECRET_PREFIX.length) : undefined;
  if (body === undefined || body.length < 32 || !/^[A-Za-z0-9_-]*$/.test(body)) {
    throw new RedirectError("bad_secret", "return URL secret must be rsec_ followed by at least 32 base64url characters");
  }
  // The whole text is the key, so that a merchant can use it as it is shown.
  return utf8(secret);
}

/** RFC 3986 percent-encoding of UTF-8: only `A-Z a-z 0-9 - . _ ~` stay as they are. */
export function percentEncode(s: string): string {
  let out = "";
  for (const b of utf8(s)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9._~-]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The string that is signed: the pairs sorted by name, percent-encoded, joined by `&`. */
export function redirectCanonical(fields: Readonly<Partial<Record<string, string>>>): string {
  return Object.keys(fields)
    .sort((a, b) => Buffer.compare(utf8(a), utf8(b)))
    .map((name) => `${percentEncode(name)}=${percentEncode(fields[name] ?? "")}`)
    .join("&");
}

function pairsOf(received: Received): Iterable<readonly [string, unknown]> {
  if (typeof received === "string") return parseForm(received.startsWith("?") ? received.slice(1) : received);
  if (received instanceof URLSearchParams) return received.entries();
  if (Symbol.iterator in received) return received as Iterable<readonly [string, string]>;
  // A parsed object: a repeated name arrives as an array, one pair per element.
  return Object.entries(received).flatMap(([name, value]) =>
    Array.isArray(value) ? value.map((v): [string, unknown] => [name, v]) : [[name, value] as [string, unknown]],
  );
}

/**
 * Verifies a redirect and returns its fields, or throws `RedirectError` with `code`
 * `bad_secret`, `missing_field`, `duplicate_field`, `bad_timestamp`,
 * `timestamp_out_of_tolerance` or `no_matching_signature`. Parameters other than the eleven
 * fields and `signature` (your own query) are ignored.
 */
export function verifyRedirect(options: VerifyRedirectOptions): VerifiedRedirect {
  const key = secretKey(options.secret);
  const got = new Map<string, string>();
  const wanted = new Set<string>([...REDIRECT_FIELDS, "signature"]);
  for (const [name, value] of pairsOf(options.received)) {
    if (!wanted.has(name)) continue;
    if (got.has(name)) throw new RedirectError("duplicate_field", `the redirect has the ${name} field more than once`, name);
    // A value that is not text (say, a nested object from a query parser) is no field at all.
    if (typeof value === "string") got.set(name, value);
  }
  for (const name of wanted) {
    if (!got.has(name)) throw new RedirectError("missing_field", `the redirect has no ${name} field`, name);
  }
  const field = (name: RedirectField | "signature") => got.get(name) ?? "";
  const timestamp = parseI64(field("timestamp"));
  if (timestamp === undefined) throw new RedirectError("bad_timestamp", "timestamp is not a number");
  const now = BigInt(Math.floor(options.now ?? Date.now() / 1000));
  const tolerance = BigInt(options.toleranceSecs ?? DEFAULT_REDIRECT_TOLERANCE_SECS);
  const skew = now - timestamp;
  if (skew > tolerance || -skew > tolerance) {
    throw new RedirectError("timestamp_out_of_tolerance", "timestamp is outside the tolerance");
  }
  const signed = Object.fromEntries(REDIRECT_FIELDS.map((name) => [name, field(name)]));
  const expected = createHmac("sha256", key).update(utf8(redirectCanonical(signed))).digest();
  const signature = field("signature");
  const hex = signature.startsWith("v1=") ? signature.slice(3) : "";
  const tag = /^(?:[0-9A-Fa-f]{2})+$/.test(hex) ? Buffer.from(hex, "hex") : undefined;
  if (tag === undefined || tag.length !== expected.length || !timingSafeEqual(tag, expected)) {
    throw new RedirectError("no_matching_signature", "the signature does not match");
  }
  // Signed by linkpay, so these parse; anything else was signed by other code.
  const rc = field("rc");
  const amount = parseI64(field("amount"));
  if ((rc !== "0" && rc !== "9") || amount === undefined) {
    throw new RedirectError("no_matching_signature", "the signature does not match");
  }
  return {
    rc,
    paid: rc === "0",
    reference: field("reference"),
    link_id: field("link_id"),
    charge_id: field("charge_id"),
    amount: Number(amount),
    currency: field("currency"),
    email: field("email"),
    free1: field("free1"),
    free2: field("free2"),
    free3: field("free3"),
    timestamp: Number(timestamp),
  };
}

/** The fields plus `signature` as linkpay would send them: for tests of your own handler. */
export function signRedirect(
  secret: string,
  fields: Readonly<Record<RedirectField, string>>,
): Record<RedirectField | "signature", string> {
  const signed = Object.fromEntries(REDIRECT_FIELDS.map((name) => [name, fields[name]]));
  const mac = createHmac("sha256", secretKey(secret)).update(utf8(redirectCanonical(signed))).digest("hex");
  return { ...(signed as Record<RedirectField, string>), signature: `v1=${mac}` };
}
