/**
 * Text rules as the Rust reference applies them, so a claim the SDK accepts is one the edge
 * accepts: lengths count Unicode scalar values (Rust `chars()`), "blank" is Unicode
 * White_Space (Rust `trim`), "control" is general category Cc (Rust `char::is_control`).
 */

import { Buffer } from "node:buffer";

const CONTROL = /\p{Cc}/u;
const BLANK = /^\p{White_Space}*$/u;
/** A lone surrogate: a JavaScript string that has no UTF-8 form. */
const LONE_SURROGATE = /\p{Cs}/u;
const EDGE_SPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

export function charCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function hasControl(s: string): boolean {
  return CONTROL.test(s);
}

export function isBlank(s: string): boolean {
  return BLANK.test(s);
}

/** Rust's `str::trim`: strips Unicode White_Space at both ends. */
export function trim(s: string): string {
  return s.replace(EDGE_SPACE, "");
}

/** Rust's `split_whitespace`. */
export function splitWhitespace(s: string): string[] {
  return s.split(/\p{White_Space}+/u).filter((part) => part !== "");
}

/** True when `s` can be encoded as UTF-8 (has no lone surrogate). */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** UTF-8 bytes as text, or `undefined` if they are not valid UTF-8 (no replacement). */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

export function utf8(s: string): Buffer {
  return Buffer.from(s, "utf8");
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/**
 * Parses a decimal integer as Rust's `i64::from_str` does: an optional sign and digits,
 * nothing else, within the i64 range.
 */
export function parseI64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < I64_MIN || n > I64_MAX ? undefined : n;
}
