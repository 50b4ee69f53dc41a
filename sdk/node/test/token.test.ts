import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Buffer } from "node:buffer";
import {
  KeyRing,
  LinkTokenError,
  mintLinkToken,
  verifyLinkToken,
  tokenKeyId,
  type LinkClaimsInput,
} from "../src/index.js";
import { readVectors, type LinkVectors } from "./vectors.js";

const v = readVectors<LinkVectors>("link-token-vectors.json");
const ring = new KeyRing(
  v.key_order.map((kid) => ({
    kid,
    secret: Buffer.from(v.keys[kid] ?? "", "base64url"),
    live: (v.live_kids ?? []).includes(kid),
  })),
);

/** The vector's JSON claims as `verifyLinkToken` returns them: absent claims left out. */
function expected(claims: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { livemode: false };
  for (const [k, value] of Object.entries(claims)) {
    if (value === null || (k === "merchant_name" && value === "")) continue;
    out[k] = value;
  }
  return out;
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof LinkTokenError, `not a LinkTokenError: ${String(e)}`);
    return e.code;
  }
  return "ok";
}

describe("link token vectors", () => {
  it("uses the domain the format names", () => {
    assert.equal(v.domain, "linkpay/link/v1\0");
    assert.ok(v.valid.length > 0 && v.invalid.length > 0);
  });

  for (const c of v.valid) {
    it(`valid: ${c.name} verifies to its claims`, () => {
      assert.deepEqual(verifyLinkToken(c.token, ring, { now: v.now }), expected(c.claims));
      assert.equal(tokenKeyId(c.token), c.kid);
    });
    it(`valid: ${c.name} mints byte for byte`, () => {
      assert.equal(mintLinkToken(c.claims as unknown as LinkClaimsInput, { keys: ring, kid: c.kid }), c.token);
    });
  }

  for (const c of v.invalid) {
    it(`invalid: ${c.name} is ${c.error}`, () => {
      assert.equal(code(() => verifyLinkToken(c.token, ring, { now: v.now })), c.error);
    });
  }

  it("has a case for every error a verifier gives", () => {
    const codes = new Set(v.invalid.map((c) => c.error));
    for (const name of ["too_long", "bad_encoding", "unsupported_version", "unknown_key", "bad_signature", "bad_claims",
      "unsupported_currency", "amount_out_of_range", "mode_mismatch", "expired"]) {
      assert.ok(codes.has(name), `no vector for ${name}`);
    }
  });
});

describe("minting", () => {
  const base = v.valid[0]?.claims as unknown as LinkClaimsInput;

  it("signs with the current key of the link's mode", () => {
    const token = mintLinkToken(base, { keys: ring });
    assert.equal(tokenKeyId(token), ring.currentKid(false));
    const live = mintLinkToken({ ...base, livemode: true }, { keys: ring });
    assert.equal(tokenKeyId(live), "k3");
    assert.equal(verifyLinkToken(live, ring, { now: v.now }).livemode, true);
  });

  it("sorts metadata by key, whatever order it was given in", () => {
    const a = mintLinkToken({ ...base, metadata: { z: "1", a: "2", "m.x": "3" } }, { keys: ring });
    const b = mintLinkToken({ ...base, metadata: [["m.x", "3"], ["a", "2"], ["z", "1"]] }, { keys: ring });
    assert.equal(a, b);
    assert.deepEqual(Object.keys(verifyLinkToken(a, ring, { now: v.now }).metadata ?? {}), ["a", "m.x", "z"]);
  });

  it("keeps a __proto__ metadata key as plain data", () => {
    const token = mintLinkToken({ ...base, metadata: JSON.parse('{"__proto__":"x"}') as Record<string, string> }, { keys: ring });
    const claims = verifyLinkToken(token, ring, { now: v.now });
    assert.equal(Object.getPrototypeOf(claims.metadata), Object.prototype);
    assert.deepEqual(Object.entries(claims.metadata ?? {}), [["__proto__", "x"]]);
  });

  const refusals: Array<[string, Partial<LinkClaimsInput> | Record<string, unknown>, string, string?]> = [
    ["link id with a dash", { link_id: "lnk-1" }, "bad_claims", "link_id"],
    ["link id of 65 characters", { link_id: "a".repeat(65) }, "bad_claims", "link_id"],
    ["merchant id empty", { merchant_id: "" }, "bad_claims", "merchant_id"],
    ["merchant name of 81 characters", { merchant_name: "あ".repeat(81) }, "bad_claims", "merchant_name"],
    ["blank title", { title: " \u3000 " }, "bad_claims", "title"],
    ["title with a newline", { title: "a\nb" }, "bad_claims", "title"],
    ["title of 101 characters", { title: "x".repeat(101) }, "bad_claims", "title"],
    ["empty description", { description: "" }, "bad_claims", "description"],
    ["reference of 65 characters", { reference: "r".repeat(65) }, "bad_claims", "reference"],
    ["free2 with a lone surrogate", { free2: "\ud800" }, "bad_claims", "free2"],
    ["lower-case currency", { currency: "jpy" }, "unsupported_currency"],
    ["unknown currency", { currency: "XXX" }, "unsupported_currency"],
    ["amount zero", { amount: 0 }, "amount_out_of_range"],
    ["amount over the JPY maximum", { amount: 100_000_000 }, "amount_out_of_range"],
    ["fractional amount", { amount: 1.5 }, "bad_claims", "amount"],
    ["amount and bounds", { amount_min: 1, amount_max: 5 }, "bad_claims", "amount"],
    ["minimum above maximum", { amount: null, amount_min: 6, amount_max: 5 }, "amount_out_of_range"],
    ["maximum over the KRW maximum", { amount: null, currency: "KRW", amount_min: 1, amount_max: 1_000_000_000 }, "amount_out_of_range"],
    ["use limit 1", { usage: { limited: 1 } }, "bad_claims", "usage"],
    ["use limit over a million", { usage: { limited: 1_000_001 } }, "bad_claims", "usage"],
    ["locale fr", { locale: "fr" }, "bad_claims", "locale"],
    ["21 metadata keys", { metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, "v"])) }, "bad_claims", "metadata"],
    ["metadata key with a space", { metadata: { "a b": "v" } }, "bad_claims", "metadata"],
    ["metadata value of 501 characters", { metadata: { a: "v".repeat(501) } }, "bad_claims", "metadata"],
    ["metadata key twice", { metadata: [["a", "1"], ["a", "2"]] }, "bad_claims", "metadata"],
    ["expiry at 0", { expires_at: 0 }, "bad_claims", "expires_at"],
    ["a token over 3072 bytes", { metadata: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, "v".repeat(500)])) }, "too_long"],
  ];
  for (const [name, change, error, field] of refusals) {
    it(`refuses ${name}: ${error}`, () => {
      try {
        mintLinkToken({ ...base, ...change } as LinkClaimsInput, { keys: ring });
        assert.fail("minted");
      } catch (e) {
        assert.ok(e instanceof LinkTokenError);
        assert.equal(e.code, error);
        if (field !== undefined) assert.equal(e.field, field);
      }
    });
  }

  it("accepts the limits themselves", () => {
    const claims = {
      ...base,
      link_id: "a".repeat(64),
      title: "お".repeat(100),
      amount: 99_999_999,
      usage: { limited: 1_000_000 },
      metadata: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${String(i).padStart(2, "0")}`, "v"])),
    } satisfies LinkClaimsInput;
    const claimsOut = verifyLinkToken(mintLinkToken(claims, { keys: ring }), ring, { now: v.now });
    assert.equal(claimsOut.title, claims.title);
    assert.deepEqual(claimsOut.usage, { limited: 1_000_000 });
  });

  it("refuses a key of the other mode, an unknown kid and a ring without the mode", () => {
    assert.equal(code(() => mintLinkToken(base, { keys: ring, kid: "k3" })), "mode_mismatch");
    assert.equal(code(() => mintLinkToken(base, { keys: ring, kid: "k9" })), "unknown_key");
    const testOnly = new KeyRing([{ kid: "t1", secret: Buffer.alloc(32, 1) }]);
    assert.equal(code(() => mintLinkToken({ ...base, livemode: true }, { keys: testOnly })), "no_signing_key");
  });

  it("checks expiry against the clock it is given", () => {
    const token = mintLinkToken(base, { keys: ring });
    assert.equal(code(() => verifyLinkToken(token, ring, { now: base.expires_at - 1 })), "ok");
    assert.equal(code(() => verifyLinkToken(token, ring, { now: base.expires_at })), "expired");
  });
});
