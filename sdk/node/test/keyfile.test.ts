import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Buffer } from "node:buffer";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { KeyFileError, keysFromEnv, mintLinkToken, parseKeyFile, parseKeyRing, readKeyFile, tokenKeyId, type LinkClaimsInput } from "../src/index.js";

const S1 = Buffer.alloc(32, 1).toString("base64url");
const S2 = Buffer.alloc(32, 2).toString("base64url");
const S3 = Buffer.alloc(32, 3).toString("base64url");
const SECRETS = [S1, S2, S3];

const GOOD = `# linkpay link-signing keys (format: docs/cli.md). Secret: keep this file mode 0600.
# comments are ignored

linkpay-keys v1
key k4 2027-03-01T09:00:00Z ${S1}
key k3 2026-03-01T09:00:00Z ${S2} live
key k2 2026-03-01T09:00:00Z ${S3}
retired k1 2025-03-01T09:00:00Z 2027-03-02T10:00:00Z
`;

const claims: LinkClaimsInput = {
  link_id: "lnk_1",
  merchant_id: "mch_1",
  currency: "JPY",
  amount: 1500,
  expires_at: 2_000_000_000,
  usage: "single_use",
  title: "Tea",
  locale: "en",
};

function failure(f: () => unknown): KeyFileError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof KeyFileError, `not a KeyFileError: ${String(e)}`);
    for (const s of SECRETS) assert.ok(!e.message.includes(s.slice(0, 12)), `message shows a secret: ${e.message}`);
    return e;
  }
  assert.fail("parsed");
}

describe("parseKeyFile", () => {
  it("reads the active keys in order; the first of each mode is current", () => {
    const ring = parseKeyFile(GOOD);
    assert.deepEqual(ring.keys, [
      { kid: "k4", live: false },
      { kid: "k3", live: true },
      { kid: "k2", live: false },
    ]);
    assert.equal(ring.currentKid(false), "k4");
    assert.equal(ring.currentKid(true), "k3");
    assert.equal(tokenKeyId(mintLinkToken(claims, { keys: ring })), "k4");
    assert.equal(tokenKeyId(mintLinkToken({ ...claims, livemode: true }, { keys: ring })), "k3");
  });

  it("accepts CRLF line ends and a file of test keys only", () => {
    const ring = parseKeyFile(`linkpay-keys v1\r\nkey k1 2026-01-01T00:00:00Z ${S1}\r\n`);
    assert.equal(ring.currentKid(false), "k1");
    assert.equal(ring.currentKid(true), undefined);
  });

  it("never shows a secret when logged or serialised", () => {
    const ring = parseKeyFile(GOOD);
    for (const text of [inspect(ring), String(ring), JSON.stringify(ring)]) {
      for (const s of SECRETS) assert.ok(!text.includes(s.slice(0, 12)), text);
    }
    assert.equal(String(ring), "KeyRing(k4 test, k3 live, k2 test)");
  });

  const bad: Array<[string, string, number, RegExp]> = [
    ["no header", `key k1 2026-01-01T00:00:00Z ${S1}\n`, 1, /expected "linkpay-keys v1"/],
    ["empty", "# only a comment\n", 1, /empty/],
    ["a field missing", `linkpay-keys v1\nkey k1 ${S1}\n`, 2, /expected `key KID CREATED SECRET`/],
    ["the secret where the kid goes", `linkpay-keys v1\n\nkey ${S1} 2026-01-01T00:00:00Z live\n`, 3, /key id must be/],
    ["a short key", `linkpay-keys v1\nkey k1 2026-01-01T00:00:00Z ${S1.slice(0, 40)}\n`, 2, /at least 32 bytes|not base64url/],
    ["padding", `linkpay-keys v1\nkey k1 2026-01-01T00:00:00Z ${S1}=\n`, 2, /not base64url/],
    ["a bad time", `linkpay-keys v1\nkey k1 2026-02-30T00:00:00Z ${S1}\n`, 2, /created time is not RFC 3339/],
    ["a kid twice", `linkpay-keys v1\nkey k1 2026-01-01T00:00:00Z ${S1}\nkey k1 2026-01-01T00:00:00Z ${S2}\n`, 3, /appears twice/],
    ["a key after a retired one", `linkpay-keys v1\nretired k1 2025-01-01T00:00:00Z 2026-01-01T00:00:00Z\nkey k2 2026-01-01T00:00:00Z ${S1}\n`, 3, /before `retired`/],
    ["an unknown kind", `linkpay-keys v1\nkeys k1 2026-01-01T00:00:00Z ${S1}\n`, 2, /start with `key` or `retired`/],
    ["live on a retired line", `linkpay-keys v1\nkey k2 2026-01-01T00:00:00Z ${S2}\nretired k1 2025-01-01T00:00:00Z 2026-01-01T00:00:00Z live\n`, 3, /expected/],
  ];
  for (const [name, text, line, message] of bad) {
    it(`refuses ${name}, naming line ${line}`, () => {
      const e = failure(() => parseKeyFile(text));
      assert.equal(e.code, "bad_key_file");
      assert.equal(e.line, line);
      assert.match(e.message, new RegExp(`^line ${line}: `));
      assert.match(e.message, message);
    });
  }

  it("refuses a file whose keys are all retired", () => {
    const e = failure(() => parseKeyFile("linkpay-keys v1\nretired k1 2025-01-01T00:00:00Z 2026-01-01T00:00:00Z\n"));
    assert.equal(e.code, "no_keys");
  });
});

describe("parseKeyRing", () => {
  it("reads kid:key[:live],… as `linkpay keys export` prints it", () => {
    const ring = parseKeyRing(` k4:${S1}, k3:${S2}:live ,k2:${S3}:test,`);
    assert.deepEqual(ring.keys.map((k) => [k.kid, k.live]), [["k4", false], ["k3", true], ["k2", false]]);
    // The same keys sign the same bytes as the key file's.
    assert.equal(mintLinkToken(claims, { keys: ring }), mintLinkToken(claims, { keys: parseKeyFile(GOOD) }));
  });

  for (const [name, spec, message] of [
    ["a key without its kid", S1, /kid:base64urlkey/],
    ["a mode other than live or test", `k1:${S1}:prod`, /live or test/],
    ["a fourth part", `k1:${S1}:live:x`, /expected/],
    ["a short key", `k1:${S2.slice(0, 20)}`, /at least 32 bytes/],
    ["a kid twice", `k1:${S1},k1:${S2}`, /appears twice/],
    ["a bad kid", `k 1:${S1}`, /key id must be/],
    ["nothing", " , ", /no keys/],
  ] as const) {
    it(`refuses ${name}`, () => {
      assert.match(failure(() => parseKeyRing(spec)).message, message);
    });
  }
});

describe("readKeyFile and keysFromEnv", () => {
  it("reads a 0600 file and refuses one that others can read", () => {
    const dir = mkdtempSync(join(tmpdir(), "linkpay-sdk-"));
    try {
      const path = join(dir, "link-keys");
      writeFileSync(path, GOOD, { mode: 0o600 });
      chmodSync(path, 0o600);
      assert.equal(readKeyFile(path).currentKid(true), "k3");
      assert.equal(keysFromEnv({ LINKPAY_LINK_KEYS_FILE: path }).currentKid(false), "k4");
      if (process.platform !== "win32") {
        chmodSync(path, 0o644);
        const e = failure(() => readKeyFile(path));
        assert.equal(e.code, "insecure_key_file");
        assert.match(e.message, /chmod 600/);
      }
      writeFileSync(join(dir, "bad"), "linkpay-keys v1\nkey k1\n", { mode: 0o600 });
      const e = failure(() => readKeyFile(join(dir, "bad")));
      assert.equal(e.line, 2);
      assert.ok(e.message.startsWith(join(dir, "bad")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes LINKPAY_LINK_KEYS, and refuses both or neither", () => {
    assert.equal(keysFromEnv({ LINKPAY_LINK_KEYS: `k1:${S1}` }).currentKid(false), "k1");
    assert.match(failure(() => keysFromEnv({ LINKPAY_LINK_KEYS: `k1:${S1}`, LINKPAY_LINK_KEYS_FILE: "/x" })).message, /not both/);
    assert.equal(failure(() => keysFromEnv({})).code, "no_keys");
  });
});
