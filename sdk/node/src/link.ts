/**
 * `mintLink`: a payment link from options as `linkpay link sign` takes them, with the same
 * defaults and checks, so the same inputs give the same URL.
 */

import { randomInt } from "node:crypto";
import { badClaims, type Locale, type Metadata, type LinkClaimsInput, type Usage, MAX_USE_LIMIT } from "./claims.js";
import { LinkTokenError } from "./errors.js";
import type { KeyRing } from "./keyring.js";
import { CURRENCIES, maxMinor, type Currency } from "./money.js";
import { mintLinkToken } from "./token.js";
import { trim } from "./text.js";

/** How long a link works unless told otherwise: 30 days. */
export const DEFAULT_TTL_SECS = 30 * 86_400;
/** Links live at most 365 days, so an old key can be retired a year after rotation. */
export const MAX_TTL_SECS = 365 * 86_400;

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A new random link id in linkpay's shape: `lnk_` and 20 base62 characters (≈119 bits). */
export function newLinkId(): string {
  let id = "lnk_";
  for (let i = 0; i < 20; i++) id += BASE62[randomInt(62)];
  return id;
}

/**
 * `https://host[:port][/path]` without a trailing slash, query or fragment, as
 * `--edge-url` takes it.
 */
export function normalizeEdgeUrl(url: string): string {
  const v = trim(url).replace(/\/+$/, "");
  const ok = (v.startsWith("http://") || v.startsWith("https://")) && !/[?# ]/.test(v) && v.length > "https://".length;
  if (!ok) {
    throw new LinkTokenError("bad_edge_url", `edge URL ${JSON.stringify(url)} must be an http(s) base URL such as https://pay.example.com`);
  }
  return v;
}

/** The payment link for a token: `EDGE/l/TOKEN`. */
export function linkUrl(edgeUrl: string, token: string): string {
  return `${normalizeEdgeUrl(edgeUrl)}/l/${token}`;
}

export interface MintLinkOptions {
  keys: KeyRing;
  /** The worker's base URL, e.g. `https://pay.example.com`; the link is `EDGE/l/TOKEN`. */
  edgeUrl: string;
  /** A live link (signed with the ring's live key); default a test link. */
  live?: boolean | undefined;
  /** Sign with this key instead of the current one of the link's mode. */
  kid?: string | undefined;
  merchantId: string;
  merchantName?: string | undefined;
  /** JPY, USD, EUR, GBP, THB, SGD, MYR or KRW (any case). */
  currency: string;
  /** A fixed price in minor units (1500 is ¥1,500 or $15.00). */
  amount?: number | undefined;
  /** Instead of `amount`: the buyer chooses at least this (default 1) … */
  min?: number | undefined;
  /** … and at most this (default the currency's maximum). */
  max?: number | undefined;
  title: string;
  description?: string | undefined;
  reference?: string | undefined;
  free1?: string | undefined;
  free2?: string | undefined;
  free3?: string | undefined;
  metadata?: Metadata | undefined;
  /** `single` (default), `multi`, or at most N payments (2-1,000,000). */
  usage?: "single" | "multi" | number | undefined;
  /** Seconds, or a span like `30m`, `12h`, `7d` (default 30 days, at most 365). */
  expiresIn?: number | string | undefined;
  /** Instead of `expiresIn`: unix seconds, in the future, at most 365 days ahead. */
  expiresAt?: number | undefined;
  /** The pay page's language (default `en`). */
  locale?: Locale | undefined;
  /** Default: a new random `lnk_…` id. */
  linkId?: string | undefined;
  /** The clock, in unix seconds (default: now). */
  now?: number | undefined;
}

export interface MintedLink {
  url: string;
  token: string;
  claims: LinkClaimsInput;
}

/** Mints a payment link offline, as `linkpay link sign` does. */
export function mintLink(options: MintLinkOptions): MintedLink {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const edgeUrl = normalizeEdgeUrl(options.edgeUrl);
  const code = trim(String(options.currency)).toUpperCase();
  const currency = CURRENCIES.find((c) => c === code) as Currency | undefined;
  if (currency === undefined) {
    throw new LinkTokenError(
      "unsupported_currency",
      `currency ${JSON.stringify(options.currency)} is not supported (${CURRENCIES.join(", ")})`,
    );
  }
  if (options.merchantName === "") throw badClaims("merchant_name", "must be 1-80 characters");
  const claims: LinkClaimsInput = {
    link_id: options.linkId ?? newLinkId(),
    merchant_id: options.merchantId,
    merchant_name: options.merchantName,
    currency,
    ...amount(options, currency),
    expires_at: expiresAt(options, now),
    usage: usage(options.usage),
    title: options.title,
    description: options.description,
    reference: options.reference,
    locale: options.locale === undefined ? "en" : (options.locale.toLowerCase() as Locale),
    free1: options.free1,
    free2: options.free2,
    free3: options.free3,
    metadata: options.metadata,
    livemode: options.live === true,
  };
  const token = mintLinkToken(claims, { keys: options.keys, kid: options.kid });
  return { url: `${edgeUrl}/l/${token}`, token, claims };
}

function amount(o: MintLinkOptions, currency: Currency): Pick<LinkClaimsInput, "amount" | "amount_min" | "amount_max"> {
  const bounded = o.min !== undefined || o.max !== undefined;
  if (o.amount !== undefined && bounded) {
    throw badClaims("amount", "cannot be given with min or max");
  }
  if (o.amount !== undefined) return { amount: o.amount };
  if (!bounded) throw badClaims("amount", "is required: give amount for a fixed price, or min and/or max to let the buyer choose");
  const min = o.min ?? 1;
  const max = o.max ?? maxMinor(currency);
  return { amount_min: min, amount_max: max };
}

function usage(u: MintLinkOptions["usage"]): Usage {
  if (u === undefined || u === "single") return "single_use";
  if (u === "multi") return "multi_use";
  if (typeof u === "number" && Number.isInteger(u) && u >= 2 && u <= MAX_USE_LIMIT) return { limited: u };
  throw badClaims("usage", `must be single, multi, or a number of payments from 2 to ${MAX_USE_LIMIT}`);
}

function expiresAt(o: MintLinkOptions, now: number): number {
  if (o.expiresAt !== undefined) {
    if (o.expiresIn !== undefined) throw badClaims("expires_at", "cannot be given with expiresIn");
    const at = o.expiresAt;
    if (!Number.isSafeInteger(at)) throw badClaims("expires_at", "must be unix seconds");
    if (at <= now) throw badClaims("expires_at", `${at} is in the past`);
    if (at - now > MAX_TTL_SECS) throw badClaims("expires_at", `${at} is more than 365 days ahead`);
    return at;
  }
  const secs = o.expiresIn === undefined ? DEFAULT_TTL_SECS : typeof o.expiresIn === "number" ? o.expiresIn : parseSpan(o.expiresIn);
  if (secs === undefined || !Number.isSafeInteger(secs) || secs <= 0) {
    throw badClaims("expires_at", `expiresIn ${JSON.stringify(o.expiresIn)} is not a span like 30m, 12h or 7d`);
  }
  if (secs > MAX_TTL_SECS) throw badClaims("expires_at", "expiresIn is more than 365 days");
  return now + secs;
}

/** `90s`, `30m`, `12h`, `7d` → seconds. */
export function parseSpan(span: string): number | undefined {
  const m = /^([0-9]+)([smhd])$/.exec(trim(span));
  if (m === null) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as "s" | "m" | "h" | "d"];
  const secs = Number(m[1]) * unit;
  return Number.isSafeInteger(secs) && secs > 0 ? secs : undefined;
}
