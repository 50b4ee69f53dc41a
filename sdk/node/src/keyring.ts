/**
 * A ring of link-signing keys, each a test key or a live key. The first key of each mode
 * signs that mode's new links; every key verifies links of its own mode, so a rotated-out key
 * keeps old links working until it is retired. The secrets are kept out of the object's
 * properties, so logging or serialising a ring never prints one.
 */

import { Buffer } from "node:buffer";
import { inspect } from "node:util";
import { decodeBase64Url } from "./base64.js";
import { KeyFileError } from "./errors.js";
import { trim } from "./text.js";

/** Shortest key accepted: HMAC-SHA256 keys shorter than the hash add no strength. */
export const MIN_KEY_BYTES = 32;

export interface KeyInfo {
  readonly kid: string;
  /** A live key signs and verifies live links only; a test key test links only. */
  readonly live: boolean;
}

export interface KeyInput {
  kid: string;
  secret: Uint8Array;
  live?: boolean;
}

interface RingKey {
  readonly kid: string;
  readonly live: boolean;
  readonly secret: Buffer;
}

const secretsOf = new WeakMap<KeyRing, readonly RingKey[]>();

/** Key ids as the token format allows them: 1-32 of `A-Z a-z 0-9 _ -`. */
export function isValidKid(kid: string): boolean {
  return /^[A-Za-z0-9_-]{1,32}$/.test(kid);
}

export class KeyRing {
  /** The ring's keys in order, without their secrets. */
  readonly keys: readonly KeyInfo[];
  readonly #current: { test: string | undefined; live: string | undefined };

  /** A ring of `keys` in order; the first of each mode signs that mode's links. */
  constructor(keys: readonly KeyInput[]) {
    const ring: RingKey[] = [];
    for (const [i, k] of keys.entries()) {
      if (!isValidKid(k.kid)) {
        // The value is not echoed: a malformed kid may be a misplaced secret.
        throw new KeyFileError("bad_key_ring", `key ${i + 1}: the key id must be 1-32 characters of A-Z a-z 0-9 _ -`);
      }
      if (ring.some((other) => other.kid === k.kid)) {
        throw new KeyFileError("bad_key_ring", `key id ${JSON.stringify(k.kid)} appears twice`);
      }
      if (k.secret.byteLength < MIN_KEY_BYTES) {
        throw new KeyFileError("bad_key_ring", `key ${JSON.stringify(k.kid)}: key must be at least ${MIN_KEY_BYTES} bytes`);
      }
      ring.push({ kid: k.kid, live: k.live === true, secret: Buffer.from(k.secret) });
    }
    if (ring.length === 0) throw new KeyFileError("no_keys", "no keys given");
    this.keys = Object.freeze(ring.map(({ kid, live }) => Object.freeze({ kid, live })));
    this.#current = {
      test: ring.find((k) => !k.live)?.kid,
      live: ring.find((k) => k.live)?.kid,
    };
    secretsOf.set(this, ring);
  }

  /** The key that signs new links of this mode, if the ring has one. */
  currentKid(live: boolean): string | undefined {
    return live ? this.#current.live : this.#current.test;
  }

  /** The same ring with `kid` signing its mode's links instead of that mode's first key. */
  signingWith(kid: string): KeyRing {
    const key = ringKey(this, kid);
    if (key === undefined) {
      throw new KeyFileError("bad_key_ring", `key id ${JSON.stringify(kid)} is not in the key ring`);
    }
    const rebuilt = new KeyRing(
      (secretsOf.get(this) ?? []).map((k) => ({ kid: k.kid, secret: k.secret, live: k.live })),
    );
    rebuilt.#current[key.live ? "live" : "test"] = kid;
    return rebuilt;
  }

  toString(): string {
    return `KeyRing(${this.keys.map((k) => `${k.kid} ${k.live ? "live" : "test"}`).join(", ")})`;
  }

  toJSON(): { keys: readonly KeyInfo[] } {
    return { keys: this.keys };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** The key `kid` with its secret, for signing and verifying inside this package. */
export function ringKey(ring: KeyRing, kid: string): RingKey | undefined {
  return secretsOf.get(ring)?.find((k) => k.kid === kid);
}

/**
 * Parses the one-line ring `kid:base64urlkey[:live][,…]`, as `LINKPAY_LINK_KEYS`, the
 * worker's `LINK_KEYS` and `linkpay keys export` give it. A key is a test key unless it ends
 * in `:live`.
 */
export function parseKeyRing(spec: string): KeyRing {
  const keys: KeyInput[] = [];
  const entries = spec.split(",").map(trim).filter((e) => e !== "");
  for (const [i, entry] of entries.entries()) {
    const n = i + 1;
    const parts = entry.split(":");
    const [kid, key, mode] = parts;
    if (kid === undefined || key === undefined) {
      throw new KeyFileError("bad_key_ring", `key ${n}: each key must be written kid:base64urlkey (or kid:base64urlkey:live)`);
    }
    const name = isValidKid(kid) ? JSON.stringify(kid) : String(n);
    if (mode !== undefined && mode !== "live" && mode !== "test") {
      throw new KeyFileError("bad_key_ring", `key ${name}: the mode after the key must be live or test`);
    }
    if (parts.length > 3) {
      throw new KeyFileError("bad_key_ring", `key ${name}: expected kid:base64urlkey[:live]`);
    }
    keys.push({ kid, secret: parseSecret(key, (problem) => new KeyFileError("bad_key_ring", `key ${name}: ${problem}`)), live: mode === "live" });
  }
  return new KeyRing(keys);
}

/** A key as key files and rings write it: base64url, no padding, at least 32 bytes. */
export function parseSecret(text: string, fail: (problem: string) => Error): Buffer {
  const bytes = decodeBase64Url(trim(text));
  if (bytes === undefined) throw fail("key is not base64url (no padding)");
  if (bytes.length < MIN_KEY_BYTES) throw fail(`key must be at least ${MIN_KEY_BYTES} bytes`);
  return bytes;
}
