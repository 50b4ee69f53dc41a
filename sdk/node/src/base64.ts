import { Buffer } from "node:buffer";

/**
 * Strict base64 decoding. Node's `Buffer.from(s, "base64")` skips characters it does not
 * know and ignores stray bits; the token format wants exactly one text form per byte string,
 * so each input is checked before it is decoded.
 */

const URL_ALPHABET = /^[A-Za-z0-9_-]*$/;
const STD_ALPHABET = /^[A-Za-z0-9+/]*$/;

/** The 6-bit value of one base64 character (either alphabet). */
function sextet(c: string): number {
  const code = c.charCodeAt(0);
  if (code >= 65 && code <= 90) return code - 65;
  if (code >= 97 && code <= 122) return code - 97 + 26;
  if (code >= 48 && code <= 57) return code - 48 + 52;
  return c === "+" || c === "-" ? 62 : 63;
}

/** True when the last character of an unpadded group leaves no set bits unused. */
function noStrayBits(data: string): boolean {
  const rest = data.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const last = sextet(data[data.length - 1] ?? "A");
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/** RFC 4648 §5 base64url without padding, strictly; `undefined` if `s` is not that. */
export function decodeBase64Url(s: string): Buffer | undefined {
  if (!URL_ALPHABET.test(s) || !noStrayBits(s)) return undefined;
  return Buffer.from(s, "base64url");
}

/** RFC 4648 §4 base64 with its padding, strictly (canonical padding, no stray bits). */
export function decodeBase64(s: string): Buffer | undefined {
  if (s.length % 4 !== 0) return undefined;
  const data = s.replace(/={1,2}$/, "");
  if (!STD_ALPHABET.test(data) || !noStrayBits(data)) return undefined;
  // The padding must be exactly what the data's length needs.
  const pad = s.length - data.length;
  if (pad !== (4 - (data.length % 4)) % 4) return undefined;
  return Buffer.from(data, "base64");
}

export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
