import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Buffer } from "node:buffer";
import { KeyRing, LinkTokenError, linkUrl, mintLink, newLinkId, parseSpan, verifyLinkToken, type MintLinkOptions } from "../src/index.js";

const keys = new KeyRing([
  { kid: "t1", secret: Buffer.alloc(32, 7) },
  { kid: "l1", secret: Buffer.alloc(32, 8), live: true },
]);
const NOW = 1_767_225_600;
const base: MintLinkOptions = { keys, edgeUrl: "https://pay.example.com/", merchantId: "mch_1", title: "Tea", currency: "jpy", amount: 1500, now: NOW };

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof LinkTokenError, String(e));
    return e.code;
  }
  return "ok";
}

describe("mintLink", () => {
  it("fills the defaults `linkpay link sign` uses", () => {
    const link = mintLink(base);
    assert.ok(link.url.startsWith("https://pay.example.com/l/"));
    assert.equal(link.url, `https://pay.example.com/l/${link.token}`);
    const claims = verifyLinkToken(link.token, keys, { now: NOW });
    assert.match(claims.link_id, /^lnk_[0-9A-Za-z]{20}$/);
    assert.equal(claims.expires_at, NOW + 30 * 86_400);
    assert.equal(claims.locale, "en");
    assert.equal(claims.usage, "single_use");
    assert.equal(claims.currency, "JPY");
    assert.equal(claims.livemode, false);
  });

  it("makes buyer-chosen, limited, live links", () => {
    const link = mintLink({ ...base, amount: undefined, min: 500, usage: 10, live: true, expiresIn: "7d", locale: "ja" });
    const claims = verifyLinkToken(link.token, keys, { now: NOW });
    assert.deepEqual([claims.amount_min, claims.amount_max], [500, 99_999_999]);
    assert.deepEqual(claims.usage, { limited: 10 });
    assert.equal(claims.livemode, true);
    assert.equal(claims.expires_at, NOW + 7 * 86_400);
  });

  it("refuses what `link sign` refuses", () => {
    assert.equal(code(() => mintLink({ ...base, currency: "XYZ" })), "unsupported_currency");
    assert.equal(code(() => mintLink({ ...base, amount: undefined })), "bad_claims");
    assert.equal(code(() => mintLink({ ...base, min: 5 })), "bad_claims");
    assert.equal(code(() => mintLink({ ...base, amount: undefined, min: 10, max: 5 })), "amount_out_of_range");
    assert.equal(code(() => mintLink({ ...base, usage: 1 })), "bad_claims");
    assert.equal(code(() => mintLink({ ...base, expiresAt: NOW })), "bad_claims");
    assert.equal(code(() => mintLink({ ...base, expiresAt: NOW + 365 * 86_400 + 1 })), "bad_claims");
    assert.equal(code(() => mintLink({ ...base, expiresAt: NOW + 365 * 86_400 })), "ok");
    assert.equal(code(() => mintLink({ ...base, expiresIn: "366d" })), "bad_claims");
    assert.equal(code(() => mintLink({ ...base, merchantName: "" })), "bad_claims");
    assert.equal(code(() => mintLink({ ...base, kid: "l1" })), "mode_mismatch");
    assert.equal(code(() => mintLink({ ...base, edgeUrl: "pay.example.com" })), "bad_edge_url");
  });

  it("parses spans and makes ids in linkpay's shape", () => {
    assert.deepEqual(["90s", "30m", "12h", "7d", "0d", "7", "1w", "-1d"].map(parseSpan), [90, 1800, 43_200, 604_800, undefined, undefined, undefined, undefined]);
    assert.notEqual(newLinkId(), newLinkId());
    assert.equal(linkUrl("http://127.0.0.1:8787//", "abc.def"), "http://127.0.0.1:8787/l/abc.def");
  });
});
