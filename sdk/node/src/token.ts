/**
 * Link tokens: `base64url(payload) "." base64url(HMAC-SHA256(key[kid], DOMAIN || payload))`,
 * minted byte for byte as `linkpay link sign` mints them and verified in the order
 * docs/token-format.md gives, with its error names as `LinkTokenError.code`.
 */

import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { decodeBase64Url, encodeBase64Url } from "./base64.js";
import { fromInput, toPublic, type LinkClaims, type LinkClaimsInput } from "./claims.js";
import { LinkTokenError } from "./errors.js";
import { KeyRing, ringKey } from "./keyring.js";
import { decodeClaims, encodePayload, readHeader } from "./wire.js";

/** Domain separation: a MAC made for a link can never pass as any other linkpay signature. */
export const LINK_DOMAIN = "linkpay/link/v1\0";
/** Longest token accepted, in bytes. Checked before any decoding. */
export const MAX_TOKEN_LEN = 3072;

function mac(secret: Buffer, payload: Buffer): Buffer {
  return createHmac("sha256", secret).update(LINK_DOMAIN, "latin1").update(payload).digest();
}

function mode(live: boolean): string {
  return live ? "live" : "test";
}

export interface MintOptions {
  keys: KeyRing;
  /** Sign with this key instead of the ring's current key of the link's mode. */
  kid?: string | undefined;
}

/**
 * Signs `claims` with the current key of their mode (`claims.livemode`), or with `kid`.
 * Throws `LinkTokenError` when the claims break the format's rules (`bad_claims` names the
 * field in `.field`), when the ring has no key of the link's mode, or when the token would be
 * longer than 3072 bytes.
 */
export function mintLinkToken(claims: LinkClaimsInput, options: MintOptions): string {
  const c = fromInput(claims);
  const { keys } = options;
  const kid = options.kid ?? keys.currentKid(c.livemode);
  if (kid === undefined) {
    throw new LinkTokenError("no_signing_key", `the key ring has no ${mode(c.livemode)} key to sign with`);
  }
  const key = ringKey(keys, kid);
  if (key === undefined) throw new LinkTokenError("unknown_key", `key ${JSON.stringify(kid)} is not in the key ring`);
  if (key.live !== c.livemode) {
    throw new LinkTokenError(
      "mode_mismatch",
      `key ${JSON.stringify(kid)} is a ${mode(key.live)} key, and a ${mode(c.livemode)} link must be signed with a ${mode(c.livemode)} key`,
    );
  }
  const payload = encodePayload(kid, c);
  const token = `${encodeBase64Url(payload)}.${encodeBase64Url(mac(key.secret, payload))}`;
  if (token.length > MAX_TOKEN_LEN) {
    throw new LinkTokenError(
      "too_long",
      `the link token would be longer than ${MAX_TOKEN_LEN} bytes; shorten the title, description, free fields or metadata`,
    );
  }
  return token;
}

export interface VerifyLinkOptions {
  /** The clock, in unix seconds (default: now). */
  now?: number | undefined;
}

/**
 * Verifies a token as presented and returns its claims if it is genuine, well formed, of its
 * key's mode and not expired. Throws `LinkTokenError` with the format's error code.
 */
export function verifyLinkToken(token: string, keys: KeyRing, options: VerifyLinkOptions = {}): LinkClaims {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Buffer.byteLength(token, "utf8") > MAX_TOKEN_LEN) {
    throw new LinkTokenError("too_long", `token is longer than ${MAX_TOKEN_LEN} bytes`);
  }
  const dot = token.indexOf(".");
  const payload = dot < 0 ? undefined : decodeBase64Url(token.slice(0, dot));
  const tag = dot < 0 ? undefined : decodeBase64Url(token.slice(dot + 1));
  if (payload === undefined || tag === undefined || payload.length === 0 || tag.length !== 32) {
    throw new LinkTokenError("bad_encoding", "token is not two base64url parts");
  }
  const header = readHeader(payload);
  const key = ringKey(keys, header.kid);
  if (key === undefined) throw new LinkTokenError("unknown_key", "token was signed with an unknown key");
  if (!timingSafeEqual(mac(key.secret, payload), tag)) {
    throw new LinkTokenError("bad_signature", "token signature does not match");
  }
  const claims = decodeClaims(header.claims);
  if (claims.livemode !== key.live) {
    throw new LinkTokenError(
      "mode_mismatch",
      `token is a ${mode(claims.livemode)} link but its key signs ${mode(key.live)} links`,
    );
  }
  if (BigInt(Math.floor(now)) >= claims.expires_at) throw new LinkTokenError("expired", "link has expired");
  return toPublic(claims);
}

/** The key id a token names, read without verifying it (for logs; trust nothing else in it). */
export function tokenKeyId(token: string): string | undefined {
  const dot = token.indexOf(".");
  const payload = dot < 0 ? undefined : decodeBase64Url(token.slice(0, dot));
  if (payload === undefined) return undefined;
  try {
    return readHeader(payload).kid;
  } catch {
    return undefined;
  }
}
