/**
 * `application/x-www-form-urlencoded` decoding as the reference does it (a POST body, or a
 * query string without its `?`): `+` is a space, `%XX` a byte, a `%` not followed by two hex
 * digits stays as it is, and a pair that is not UTF-8 once decoded is skipped. (`URLSearchParams`
 * would replace bad bytes with U+FFFD instead, turning a missing field into a wrong one.)
 */

import { Buffer } from "node:buffer";
import { decodeUtf8 } from "./text.js";

function hexDigit(c: number): number | undefined {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return undefined;
}

function formDecode(s: string): string | undefined {
  const b = Buffer.from(s, "utf8");
  const out: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const c = b[i] ?? 0;
    if (c === 0x2b) {
      out.push(0x20);
    } else if (c === 0x25 && i + 2 < b.length) {
      const hi = hexDigit(b[i + 1] ?? 0);
      const lo = hexDigit(b[i + 2] ?? 0);
      if (hi !== undefined && lo !== undefined) {
        out.push((hi << 4) | lo);
        i += 2;
      } else {
        out.push(c);
      }
    } else {
      out.push(c);
    }
  }
  return decodeUtf8(Uint8Array.from(out));
}

export function parseForm(s: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const pair of s.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = formDecode(eq < 0 ? pair : pair.slice(0, eq));
    const value = formDecode(eq < 0 ? "" : pair.slice(eq + 1));
    if (name !== undefined && value !== undefined) pairs.push([name, value]);
  }
  return pairs;
}
