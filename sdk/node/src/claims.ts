/**
 * What a link promises, and the rules every signed link obeys (as `validate` in
 * `shared/src/token.rs`). Claim names are the token format's, in snake_case, as the vectors
 * in `shared/testdata/link-token-vectors.json` and the linkpay API write them.
 */

import { LinkTokenError } from "./errors.js";
import { isCurrency, maxMinor, type Currency } from "./money.js";
import { charCount, hasControl, isBlank, isWellFormed } from "./text.js";

export type Usage = "single_use" | "multi_use" | { limited: number };
export type Locale = "ja" | "en";
export type Metadata = Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;

/** Claims to sign. Optional claims that are absent, `null` (or, for `merchant_name`, `""`) are left out. */
export interface LinkClaimsInput {
  /** `[A-Za-z0-9_]{1,64}` */
  link_id: string;
  /** `[A-Za-z0-9_]{1,64}` */
  merchant_id: string;
  /** 1-80 characters. */
  merchant_name?: string | null | undefined;
  currency: Currency;
  /** A fixed price in minor units; or leave it out and give `amount_min` and `amount_max`. */
  amount?: number | null | undefined;
  /** A buyer-chosen amount: at least this (minor units). */
  amount_min?: number | null | undefined;
  /** A buyer-chosen amount: at most this (minor units). */
  amount_max?: number | null | undefined;
  /** Unix seconds; the link is refused from this instant on. */
  expires_at: number;
  usage: Usage;
  /** 1-100 characters. */
  title: string;
  /** 1-300 characters. */
  description?: string | null | undefined;
  /** 1-64 characters. */
  reference?: string | null | undefined;
  locale: Locale;
  /** 1-100 characters each. Readable by whoever holds the link. */
  free1?: string | null | undefined;
  free2?: string | null | undefined;
  free3?: string | null | undefined;
  /** Up to 20 pairs; keys `[A-Za-z0-9_.-]{1,40}`, values 1-500 characters. Sorted by key when signed. */
  metadata?: Metadata | null | undefined;
  /** A live link takes real money; only a live key signs it. */
  livemode?: boolean | undefined;
}

/** Claims of a verified token. Optional claims the token does not carry are absent. */
export interface LinkClaims {
  link_id: string;
  merchant_id: string;
  merchant_name?: string;
  currency: Currency;
  amount?: number;
  amount_min?: number;
  amount_max?: number;
  expires_at: number;
  usage: Usage;
  title: string;
  description?: string;
  reference?: string;
  locale: Locale;
  free1?: string;
  free2?: string;
  free3?: string;
  metadata?: Record<string, string>;
  livemode: boolean;
}

/** The claims as the wire format holds them (integers as bigint, so any i64 fits). */
export interface Claims {
  link_id: string;
  merchant_id: string;
  /** `""` when there is none. */
  merchant_name: string;
  currency: Currency;
  amount: { fixed: bigint } | { min: bigint; max: bigint };
  expires_at: bigint;
  usage: { kind: 0 | 1 } | { kind: 2; limit: number };
  title: string;
  description: string | undefined;
  reference: string | undefined;
  locale: Locale;
  free: [string | undefined, string | undefined, string | undefined];
  metadata: Array<[string, string]>;
  livemode: boolean;
}

export const MAX_TITLE_CHARS = 100;
export const MAX_DESCRIPTION_CHARS = 300;
export const MAX_REFERENCE_CHARS = 64;
export const MAX_MERCHANT_NAME_CHARS = 80;
export const MAX_FREE_CHARS = 100;
export const MAX_USE_LIMIT = 1_000_000;
export const MAX_METADATA_PAIRS = 20;
export const MAX_METADATA_KEY_CHARS = 40;
export const MAX_METADATA_VALUE_CHARS = 500;

export function badClaims(field: string, why = "is not valid"): LinkTokenError {
  return new LinkTokenError("bad_claims", `the link's ${field} ${why}`, field);
}

function amountOutOfRange(): LinkTokenError {
  return new LinkTokenError("amount_out_of_range", "the amount is out of range for the currency");
}

const ID = /^[A-Za-z0-9_]{1,64}$/;
const METADATA_KEY = /^[A-Za-z0-9_.-]{1,40}$/;

/** Required text: not blank, at most `max` characters, no control characters. */
function checkText(s: string, max: number, field: string): void {
  if (isBlank(s) || charCount(s) > max || hasControl(s)) {
    throw badClaims(field, `must be 1-${max} characters, not blank, with no control characters`);
  }
}

/** The rules every signed link obeys, in the reference's order (its first error wins). */
export function validate(c: Claims): void {
  if (!ID.test(c.link_id)) throw badClaims("link_id", "must be 1-64 characters of A-Z a-z 0-9 _");
  if (!ID.test(c.merchant_id)) throw badClaims("merchant_id", "must be 1-64 characters of A-Z a-z 0-9 _");
  if (c.merchant_name !== "") checkText(c.merchant_name, MAX_MERCHANT_NAME_CHARS, "merchant_name");
  if ("min" in c.amount) {
    const { min, max } = c.amount;
    if (!(1n <= min && min <= max && max <= BigInt(maxMinor(c.currency)))) throw amountOutOfRange();
  }
  if (c.usage.kind === 2 && !(c.usage.limit >= 2 && c.usage.limit <= MAX_USE_LIMIT)) {
    throw badClaims("usage", `use limit must be 2-${MAX_USE_LIMIT}`);
  }
  checkText(c.title, MAX_TITLE_CHARS, "title");
  const optional: Array<[string | undefined, number, string]> = [
    [c.description, MAX_DESCRIPTION_CHARS, "description"],
    [c.reference, MAX_REFERENCE_CHARS, "reference"],
    [c.free[0], MAX_FREE_CHARS, "free1"],
    [c.free[1], MAX_FREE_CHARS, "free2"],
    [c.free[2], MAX_FREE_CHARS, "free3"],
  ];
  for (const [value, max, field] of optional) {
    if (value !== undefined) checkText(value, max, field);
  }
  validateMetadata(c.metadata);
  // Canonical order, so that one claim set has one encoding.
  for (let i = 1; i < c.metadata.length; i++) {
    if ((c.metadata[i - 1]?.[0] ?? "") >= (c.metadata[i]?.[0] ?? "")) {
      throw badClaims("metadata", "keys must be in strictly ascending order");
    }
  }
  if (c.expires_at <= 0n) throw badClaims("expires_at", "must be a time after 1970");
}

function validateMetadata(pairs: ReadonlyArray<readonly [string, string]>): void {
  if (pairs.length > MAX_METADATA_PAIRS) {
    throw badClaims("metadata", `has ${pairs.length} keys; the maximum is ${MAX_METADATA_PAIRS}`);
  }
  const seen = new Set<string>();
  for (const [key, value] of pairs) {
    if (!METADATA_KEY.test(key)) {
      throw badClaims("metadata", `key ${JSON.stringify(key)} must be 1-${MAX_METADATA_KEY_CHARS} characters of A-Z a-z 0-9 _ - .`);
    }
    const n = charCount(value);
    if (n === 0 || n > MAX_METADATA_VALUE_CHARS || hasControl(value)) {
      throw badClaims("metadata", `value for ${JSON.stringify(key)} must be 1-${MAX_METADATA_VALUE_CHARS} characters with no control characters`);
    }
    if (seen.has(key)) throw badClaims("metadata", `key ${JSON.stringify(key)} appears twice`);
    seen.add(key);
  }
}

/** Checks the shape of caller-supplied claims (what Rust's types enforce) and validates them. */
export function fromInput(input: LinkClaimsInput): Claims {
  const text = (value: unknown, field: string): string => {
    if (typeof value !== "string" || !isWellFormed(value)) throw badClaims(field, "must be a string");
    return value;
  };
  const optionalText = (value: unknown, field: string): string | undefined =>
    value === undefined || value === null ? undefined : text(value, field);
  const int = (value: unknown, field: string): bigint => {
    if (typeof value !== "number" || !Number.isSafeInteger(value)) throw badClaims(field, "must be an integer");
    return BigInt(value);
  };
  const given = (v: unknown) => v !== undefined && v !== null;

  if (!isCurrency(input.currency)) {
    throw new LinkTokenError("unsupported_currency", `currency ${JSON.stringify(input.currency)} is not supported`);
  }
  let amount: Claims["amount"];
  if (given(input.amount) && !given(input.amount_min) && !given(input.amount_max)) {
    const fixed = int(input.amount, "amount");
    if (fixed < 1n || fixed > BigInt(maxMinor(input.currency))) throw amountOutOfRange();
    amount = { fixed };
  } else if (!given(input.amount) && given(input.amount_min) && given(input.amount_max)) {
    amount = { min: int(input.amount_min, "amount_min"), max: int(input.amount_max, "amount_max") };
  } else {
    throw badClaims("amount", "must be a fixed amount, or a minimum and a maximum");
  }
  let usage: Claims["usage"];
  const u: unknown = input.usage;
  if (u === "single_use") usage = { kind: 0 };
  else if (u === "multi_use") usage = { kind: 1 };
  else if (typeof u === "object" && u !== null && "limited" in u && Number.isSafeInteger(u.limited)) {
    usage = { kind: 2, limit: u.limited as number };
  } else throw badClaims("usage", 'must be "single_use", "multi_use" or { limited: N }');
  if (input.locale !== "ja" && input.locale !== "en") throw badClaims("locale", "must be ja or en");

  const metadata: Array<[string, string]> = [];
  const m: unknown = input.metadata;
  if (Array.isArray(m)) {
    for (const pair of m) {
      if (!Array.isArray(pair) || pair.length !== 2) throw badClaims("metadata", "must be [key, value] pairs");
      metadata.push([text(pair[0], "metadata"), text(pair[1], "metadata")]);
    }
  } else if (typeof m === "object" && m !== null) {
    for (const [k, v] of Object.entries(m)) metadata.push([k, text(v, "metadata")]);
  } else if (given(m)) {
    throw badClaims("metadata", "must be an object or [key, value] pairs");
  }
  // Sorted by key, as `linkpay link sign` does; keys are ASCII once valid, so this is bytewise.
  metadata.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));

  const claims: Claims = {
    link_id: text(input.link_id, "link_id"),
    merchant_id: text(input.merchant_id, "merchant_id"),
    merchant_name: optionalText(input.merchant_name, "merchant_name") ?? "",
    currency: input.currency,
    amount,
    expires_at: int(input.expires_at, "expires_at"),
    usage,
    title: text(input.title, "title"),
    description: optionalText(input.description, "description"),
    reference: optionalText(input.reference, "reference"),
    locale: input.locale,
    free: [optionalText(input.free1, "free1"), optionalText(input.free2, "free2"), optionalText(input.free3, "free3")],
    metadata,
    livemode: input.livemode === true,
  };
  validate(claims);
  return claims;
}

/** The claims as a caller sees them: numbers, and absent optional claims left out. */
export function toPublic(c: Claims): LinkClaims {
  const out: LinkClaims = {
    link_id: c.link_id,
    merchant_id: c.merchant_id,
    ...(c.merchant_name !== "" && { merchant_name: c.merchant_name }),
    currency: c.currency,
    ...("fixed" in c.amount
      ? { amount: Number(c.amount.fixed) }
      : { amount_min: Number(c.amount.min), amount_max: Number(c.amount.max) }),
    expires_at: Number(c.expires_at),
    usage: publicUsage(c.usage),
    title: c.title,
    ...(c.description !== undefined && { description: c.description }),
    ...(c.reference !== undefined && { reference: c.reference }),
    locale: c.locale,
    ...(c.free[0] !== undefined && { free1: c.free[0] }),
    ...(c.free[1] !== undefined && { free2: c.free[1] }),
    ...(c.free[2] !== undefined && { free3: c.free[2] }),
    // fromEntries defines own properties, so a key like `__proto__` stays plain data.
    ...(c.metadata.length > 0 && { metadata: Object.fromEntries(c.metadata) }),
    livemode: c.livemode,
  };
  return out;
}

function publicUsage(u: Claims["usage"]): Usage {
  if (u.kind === 2) return { limited: u.limit };
  return u.kind === 0 ? "single_use" : "multi_use";
}
