/**
 * The token payload's bytes (docs/token-format.md): `version:u8 | kid_len:u8 | kid`, then
 * claims as `tag:u8 | len:u16 BE | value` in strictly ascending tag order. Decoding follows
 * the reference's order of checks, so a malformed token fails with the same error code.
 */

import { Buffer } from "node:buffer";
import { badClaims, validate, type Claims } from "./claims.js";
import { LinkTokenError } from "./errors.js";
import { maxMinor, CURRENCIES, type Currency } from "./money.js";
import { isValidKid } from "./keyring.js";
import { decodeUtf8, utf8 } from "./text.js";

export const VERSION = 1;

const TAG = {
  LINK_ID: 1,
  MERCHANT_ID: 2,
  MERCHANT_NAME: 3,
  CURRENCY: 4,
  AMOUNT: 5,
  EXPIRES_AT: 6,
  USAGE: 7,
  TITLE: 8,
  DESCRIPTION: 9,
  REFERENCE: 10,
  LOCALE: 11,
  AMOUNT_MIN: 12,
  AMOUNT_MAX: 13,
  USE_LIMIT: 14,
  FREE1: 15,
  FREE2: 16,
  FREE3: 17,
  METADATA: 18,
  LIVEMODE: 19,
} as const;
/** One past the highest tag this version understands: unknown tags are errors, not skipped. */
const TAG_END = 20;

function i64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
}

export function encodePayload(kid: string, c: Claims): Buffer {
  const parts: Buffer[] = [Buffer.from([VERSION, kid.length]), Buffer.from(kid, "ascii")];
  const put = (tag: number, value: Buffer) => {
    const head = Buffer.alloc(3);
    head[0] = tag;
    head.writeUInt16BE(value.length, 1);
    parts.push(head, value);
  };
  put(TAG.LINK_ID, utf8(c.link_id));
  put(TAG.MERCHANT_ID, utf8(c.merchant_id));
  if (c.merchant_name !== "") put(TAG.MERCHANT_NAME, utf8(c.merchant_name));
  put(TAG.CURRENCY, utf8(c.currency));
  if ("fixed" in c.amount) put(TAG.AMOUNT, i64(c.amount.fixed));
  put(TAG.EXPIRES_AT, i64(c.expires_at));
  put(TAG.USAGE, Buffer.from([c.usage.kind]));
  put(TAG.TITLE, utf8(c.title));
  if (c.description !== undefined) put(TAG.DESCRIPTION, utf8(c.description));
  if (c.reference !== undefined) put(TAG.REFERENCE, utf8(c.reference));
  put(TAG.LOCALE, utf8(c.locale));
  if ("min" in c.amount) {
    put(TAG.AMOUNT_MIN, i64(c.amount.min));
    put(TAG.AMOUNT_MAX, i64(c.amount.max));
  }
  if (c.usage.kind === 2) {
    const limit = Buffer.alloc(4);
    limit.writeUInt32BE(c.usage.limit);
    put(TAG.USE_LIMIT, limit);
  }
  const free = [TAG.FREE1, TAG.FREE2, TAG.FREE3] as const;
  free.forEach((tag, i) => {
    const value = c.free[i];
    if (value !== undefined) put(tag, utf8(value));
  });
  if (c.metadata.length > 0) put(TAG.METADATA, encodeMetadata(c.metadata));
  if (c.livemode) put(TAG.LIVEMODE, Buffer.from([1]));
  return Buffer.concat(parts);
}

/** `key_len:u8 key value_len:u16 value`, repeated, keys strictly ascending. */
function encodeMetadata(pairs: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of pairs) {
    const key = utf8(k);
    const value = utf8(v);
    const vlen = Buffer.alloc(2);
    vlen.writeUInt16BE(value.length);
    parts.push(Buffer.from([key.length]), key, vlen, value);
  }
  return Buffer.concat(parts);
}

/** The key id and the claim bytes; nothing else is read before the MAC is checked. */
export function readHeader(payload: Buffer): { kid: string; claims: Buffer } {
  const version = payload[0];
  if (version === undefined) throw new LinkTokenError("bad_encoding", "token is not two base64url parts");
  if (version !== VERSION) {
    throw new LinkTokenError("unsupported_version", `token version ${version} is not supported`);
  }
  const kidLen = payload[1];
  const kid = kidLen === undefined ? undefined : payload.subarray(2, 2 + kidLen);
  if (kid === undefined || kid.length !== kidLen || !isValidKid(kid.toString("latin1"))) {
    throw new LinkTokenError("bad_encoding", "token key id is malformed");
  }
  return { kid: kid.toString("latin1"), claims: payload.subarray(2 + kid.length) };
}

export function decodeClaims(bytes: Buffer): Claims {
  const fields: Array<Buffer | undefined> = new Array<Buffer | undefined>(TAG_END).fill(undefined);
  let lastTag = 0;
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 3) throw badClaims("claims", "are truncated");
    const tag = bytes[at] ?? 0;
    const len = bytes.readUInt16BE(at + 1);
    if (tag <= lastTag) throw badClaims("claims", "are out of order");
    if (tag >= TAG_END) throw badClaims("claims", `have an unknown tag ${tag}`);
    if (at + 3 + len > bytes.length) throw badClaims("claims", "are truncated");
    fields[tag] = bytes.subarray(at + 3, at + 3 + len);
    lastTag = tag;
    at += 3 + len;
  }
  const text = (tag: number, name: string): string | undefined => {
    const v = fields[tag];
    if (v === undefined) return undefined;
    const s = decodeUtf8(v);
    if (s === undefined) throw badClaims(name, "is not UTF-8");
    return s;
  };
  const required = (tag: number, name: string): string => {
    const s = text(tag, name);
    if (s === undefined) throw badClaims(name, "is missing");
    return s;
  };
  const int = (tag: number, name: string): bigint | undefined => {
    const v = fields[tag];
    if (v === undefined) return undefined;
    if (v.length !== 8) throw badClaims(name, "is not an 8-byte integer");
    return v.readBigInt64BE();
  };

  // Only the exact upper-case code is canonical; another case of a known code is unsupported too.
  const code = required(TAG.CURRENCY, "currency");
  const currency = CURRENCIES.find((c) => c === code) as Currency | undefined;
  if (currency === undefined) {
    throw new LinkTokenError("unsupported_currency", "token currency is not supported");
  }
  const fixed = int(TAG.AMOUNT, "amount");
  const min = int(TAG.AMOUNT_MIN, "amount_min");
  const max = int(TAG.AMOUNT_MAX, "amount_max");
  let amount: Claims["amount"];
  if (fixed !== undefined && min === undefined && max === undefined) {
    if (fixed < 1n || fixed > BigInt(maxMinor(currency))) {
      throw new LinkTokenError("amount_out_of_range", "token amount is out of range");
    }
    amount = { fixed };
  } else if (fixed === undefined && min !== undefined && max !== undefined) {
    amount = { min, max };
  } else {
    throw badClaims("amount", "must be a fixed amount, or a minimum and a maximum");
  }
  const usageByte = fields[TAG.USAGE];
  const limit = fields[TAG.USE_LIMIT];
  let usage: Claims["usage"];
  if (usageByte?.length === 1 && usageByte[0] === 0 && limit === undefined) usage = { kind: 0 };
  else if (usageByte?.length === 1 && usageByte[0] === 1 && limit === undefined) usage = { kind: 1 };
  else if (usageByte?.length === 1 && usageByte[0] === 2 && limit?.length === 4) {
    usage = { kind: 2, limit: limit.readUInt32BE() };
  } else throw badClaims("usage");
  const localeBytes = fields[TAG.LOCALE]?.toString("latin1");
  if (localeBytes !== "ja" && localeBytes !== "en") throw badClaims("locale");
  const locale = localeBytes;
  const merchantName = text(TAG.MERCHANT_NAME, "merchant_name");
  if (merchantName === "") throw badClaims("merchant_name", "is empty");
  const metadataBytes = fields[TAG.METADATA];
  const metadata = metadataBytes === undefined ? [] : decodeMetadata(metadataBytes);
  // Test links leave the claim out, so only the one byte 1 is canonical.
  const live = fields[TAG.LIVEMODE];
  if (live !== undefined && !(live.length === 1 && live[0] === 1)) throw badClaims("livemode");
  const linkId = required(TAG.LINK_ID, "link_id");
  const merchantId = required(TAG.MERCHANT_ID, "merchant_id");
  const expiresAt = int(TAG.EXPIRES_AT, "expires_at");
  if (expiresAt === undefined) throw badClaims("expires_at", "is missing");
  const claims: Claims = {
    link_id: linkId,
    merchant_id: merchantId,
    merchant_name: merchantName ?? "",
    currency,
    amount,
    expires_at: expiresAt,
    usage,
    title: required(TAG.TITLE, "title"),
    description: text(TAG.DESCRIPTION, "description"),
    reference: text(TAG.REFERENCE, "reference"),
    locale,
    free: [text(TAG.FREE1, "free1"), text(TAG.FREE2, "free2"), text(TAG.FREE3, "free3")],
    metadata,
    livemode: live !== undefined,
  };
  // Empty optional claims are encoded by omission, so an empty value is not canonical.
  for (const value of [claims.description, claims.reference, ...claims.free]) {
    if (value === "") throw badClaims("claims", "have an empty optional claim");
  }
  validate(claims);
  return claims;
}

function decodeMetadata(bytes: Buffer): Array<[string, string]> {
  const bad = () => badClaims("metadata", "is malformed");
  const pairs: Array<[string, string]> = [];
  let at = 0;
  while (at < bytes.length) {
    const klen = bytes[at] ?? 0;
    const keyEnd = at + 1 + klen;
    if (keyEnd + 2 > bytes.length) throw bad();
    const vlen = bytes.readUInt16BE(keyEnd);
    const valueEnd = keyEnd + 2 + vlen;
    if (valueEnd > bytes.length) throw bad();
    const key = decodeUtf8(bytes.subarray(at + 1, keyEnd));
    const value = decodeUtf8(bytes.subarray(keyEnd + 2, valueEnd));
    if (key === undefined || value === undefined) throw bad();
    pairs.push([key, value]);
    at = valueEnd;
  }
  if (pairs.length === 0) throw bad();
  return pairs;
}
