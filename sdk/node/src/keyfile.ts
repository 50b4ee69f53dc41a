/**
 * The link-signing key file that `linkpay keys` manages (format: docs/cli.md):
 *
 *     # comments and blank lines are ignored
 *     linkpay-keys v1
 *     key KID CREATED SECRET [live]
 *     retired KID CREATED RETIRED
 *
 * Parsed as the Rust CLI parses it, so a file one accepts the other accepts. Errors name the
 * line and never echo a field that could be a secret.
 */

import { readFileSync, statSync } from "node:fs";
import { KeyFileError, type KeyFileErrorCode } from "./errors.js";
import { isValidKid, KeyRing, parseKeyRing, parseSecret, type KeyInput } from "./keyring.js";
import { decodeUtf8, splitWhitespace, trim } from "./text.js";

const HEADER = "linkpay-keys v1";

/** Parses a key file's text into the ring of its active (`key`) lines, in file order. */
export function parseKeyFile(text: string): KeyRing {
  const keys: KeyInput[] = [];
  const kids = new Set<string>();
  let seenHeader = false;
  let seenRetired = false;
  // Rust's `str::lines`: split on \n, drop one trailing \r per line and a final empty line.
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    const bad = (problem: string) => new KeyFileError("bad_key_file", `line ${line}: ${problem}`, line);
    const content = trim(raw.endsWith("\r") ? raw.slice(0, -1) : raw);
    if (content === "" || content.startsWith("#")) continue;
    if (!seenHeader) {
      if (content !== HEADER) {
        throw bad(`expected ${JSON.stringify(HEADER)} before any key; is this a linkpay key file?`);
      }
      seenHeader = true;
      continue;
    }
    const fields = splitWhitespace(content);
    let live = false;
    if (fields.length === 5 && fields[0] === "key" && fields[4] === "live") {
      live = true;
    } else if (fields.length !== 4) {
      throw bad("expected `key KID CREATED SECRET`, `key KID CREATED SECRET live` or `retired KID CREATED RETIRED`");
    }
    const [kind = "", kid = "", created = "", last = ""] = fields;
    if (!isValidKid(kid)) {
      // Not echoed: a line with a field missing can put its secret where the kid goes.
      throw bad("the key id must be 1-32 characters of A-Z a-z 0-9 _ -");
    }
    const name = JSON.stringify(kid);
    if (kids.has(kid)) throw bad(`key id ${name} appears twice`);
    if (!isRfc3339(created)) throw bad(`key ${name}: the created time is not RFC 3339`);
    if (kind === "key") {
      const secret = parseSecret(last, (problem) => bad(`key ${name}: ${problem}`));
      if (seenRetired) throw bad("`key` lines must come before `retired` lines");
      keys.push({ kid, secret, live });
    } else if (kind === "retired") {
      if (!isRfc3339(last)) throw bad(`key ${name}: the retired time is not RFC 3339`);
      seenRetired = true;
    } else {
      throw bad("each line must start with `key` or `retired`");
    }
    kids.add(kid);
  }
  if (!seenHeader) {
    throw new KeyFileError("bad_key_file", `line 1: empty; a key file starts with ${JSON.stringify(HEADER)}`, 1);
  }
  if (keys.length === 0) {
    throw new KeyFileError("no_keys", "the key file has no key that can sign (every key is retired)");
  }
  return new KeyRing(keys);
}

/**
 * Reads a key file, refusing (on Unix) one that its group or other users can read or write,
 * as `linkpay` and ssh do: it holds secret keys.
 */
export function readKeyFile(path: string): KeyRing {
  const where = (e: KeyFileError) => new KeyFileError(e.code as KeyFileErrorCode, `${path}: ${e.message}`, e.line);
  if (process.platform !== "win32") {
    const mode = statSync(path).mode & 0o7777;
    if ((mode & 0o077) !== 0) {
      throw new KeyFileError(
        "insecure_key_file",
        `${path}: can be read or written by other users (mode ${mode.toString(8).padStart(4, "0")}); it holds secret keys, so run \`chmod 600\` on it`,
      );
    }
  }
  const text = decodeUtf8(readFileSync(path));
  if (text === undefined) throw new KeyFileError("bad_key_file", `${path}: is not UTF-8 text`);
  try {
    return parseKeyFile(text);
  } catch (e) {
    throw e instanceof KeyFileError ? where(e) : e;
  }
}

/**
 * The ring the origin would use: `LINKPAY_LINK_KEYS_FILE` (a key file) or `LINKPAY_LINK_KEYS`
 * (the one-line ring). Set one, not both.
 */
export function keysFromEnv(env: Record<string, string | undefined> = process.env): KeyRing {
  const file = env["LINKPAY_LINK_KEYS_FILE"];
  const ring = env["LINKPAY_LINK_KEYS"];
  if (file && ring) {
    throw new KeyFileError("bad_key_ring", "set LINKPAY_LINK_KEYS_FILE or LINKPAY_LINK_KEYS, not both");
  }
  if (file) return readKeyFile(file);
  if (ring) return parseKeyRing(ring);
  throw new KeyFileError("no_keys", "set LINKPAY_LINK_KEYS_FILE (a key file) or LINKPAY_LINK_KEYS (kid:key[:live],…)");
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/** An RFC 3339 date-time with valid fields (the `created` and `retired` columns). */
export function isRfc3339(s: string): boolean {
  const m = DATE_TIME.exec(s);
  if (m === null) return false;
  const [year, month, day, hour, minute, second, offH, offM] = m.slice(1).map((v) => Number(v ?? 0));
  if (year === undefined || month === undefined || day === undefined || month < 1 || month > 12) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day >= 1 && day <= days && (hour ?? 24) <= 23 && (minute ?? 60) <= 59 && (second ?? 60) <= 59 &&
    (offH ?? 24) <= 23 && (offM ?? 60) <= 59;
}
