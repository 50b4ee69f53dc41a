import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Buffer } from "node:buffer";
import { signWebhook, verifyWebhook, WebhookError, type VerifyWebhookOptions } from "../src/index.js";
import { readVectors, type SignatureVectors, type WebhookCase } from "./vectors.js";

const v = readVectors<SignatureVectors<WebhookCase>>("webhook-signature-vectors.json");

function code(options: VerifyWebhookOptions): string | null {
  try {
    verifyWebhook(options);
    return null;
  } catch (e) {
    assert.ok(e instanceof WebhookError, `not a WebhookError: ${String(e)}`);
    return e.code;
  }
}

function headersOf(c: WebhookCase) {
  return { "webhook-id": c.webhook_id, "webhook-timestamp": c.webhook_timestamp, "webhook-signature": c.webhook_signature };
}

const asSent = v.cases.find((c) => c.error === null);
assert.ok(asSent);
const oldSecret = asSent.secret;
const newSecret = v.cases.find((c) => c.name.startsWith("signed with the new secret"))?.secret ?? "";

describe("webhook vectors", () => {
  for (const c of v.cases) {
    it(`${c.name}: ${c.error ?? "verifies"}`, () => {
      const options = { body: c.body, headers: headersOf(c), secret: c.secret, now: v.now, toleranceSecs: v.tolerance_secs };
      assert.equal(code(options), c.error);
      // The raw bytes and a fetch Headers object give the same answer.
      assert.equal(code({ ...options, body: Buffer.from(c.body, "utf8"), headers: new Headers(headersOf(c)) }), c.error);
    });
  }

  it("has a case for every error", () => {
    const codes = new Set(v.cases.map((c) => c.error));
    for (const name of ["bad_secret", "bad_timestamp", "timestamp_out_of_tolerance", "no_matching_signature"]) {
      assert.ok(codes.has(name), `no vector for ${name}`);
    }
  });
});

describe("verifyWebhook", () => {
  const base = { body: asSent.body, headers: headersOf(asSent), now: v.now };

  it("returns the id, timestamp and body", () => {
    const got = verifyWebhook({ ...base, secret: oldSecret });
    assert.deepEqual(got, { id: "evt_0001", timestamp: v.now, body: asSent.body });
    assert.equal((JSON.parse(got.body) as { type: string }).type, "charge.complete");
  });

  it("rotation: a receiver holding the old and the new secret verifies either signature", () => {
    const both = [newSecret, oldSecret];
    assert.equal(code({ ...base, secret: both }), null);
    const byNew = signWebhook(newSecret, "evt_0001", v.now, asSent.body);
    assert.equal(code({ ...base, headers: { ...base.headers, "webhook-signature": byNew }, secret: both }), null);
    assert.equal(code({ ...base, headers: { ...base.headers, "webhook-signature": byNew }, secret: oldSecret }), "no_matching_signature");
    // One bad secret in the list is a configuration error, not a silent skip.
    assert.equal(code({ ...base, secret: [oldSecret, "whsec_short"] }), "bad_secret");
    assert.equal(code({ ...base, secret: [] }), "bad_secret");
  });

  it("rotation: the header's two signatures (new first) verify with the old secret alone", () => {
    const header = `${signWebhook(newSecret, "evt_0001", v.now, asSent.body)} ${asSent.webhook_signature}`;
    assert.equal(code({ ...base, headers: { ...base.headers, "webhook-signature": header }, secret: oldSecret }), null);
    assert.equal(code({ ...base, headers: { ...base.headers, "webhook-signature": header }, secret: newSecret }), null);
  });

  it("signs as the vectors do", () => {
    assert.equal(signWebhook(oldSecret, asSent.webhook_id, v.now, asSent.body), asSent.webhook_signature);
  });

  it("finds headers in any case, and says which one is missing", () => {
    const upper = { "Webhook-Id": "evt_0001", "WEBHOOK-TIMESTAMP": String(v.now), "Webhook-Signature": asSent.webhook_signature };
    assert.equal(code({ ...base, headers: upper, secret: oldSecret }), null);
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"] as const) {
      const headers: Record<string, string> = { ...base.headers };
      delete headers[name];
      try {
        verifyWebhook({ ...base, headers, secret: oldSecret });
        assert.fail("verified");
      } catch (e) {
        assert.ok(e instanceof WebhookError);
        assert.equal(e.code, "missing_header");
        assert.match(e.message, new RegExp(name));
      }
    }
  });

  it("parses the timestamp as an integer and signs it as parsed", () => {
    // "+1767225600" and " 1767225600 " are the same instant, signed as 1767225600.
    for (const ts of [`+${v.now}`, ` ${v.now} `, `0${v.now}`]) {
      assert.equal(code({ ...base, headers: { ...base.headers, "webhook-timestamp": ts }, secret: oldSecret }), null, ts);
    }
    for (const ts of ["", "1.5", "0x10", "99999999999999999999"]) {
      assert.equal(code({ ...base, headers: { ...base.headers, "webhook-timestamp": ts }, secret: oldSecret }), "bad_timestamp", ts);
    }
  });

  it("refuses padded-wrong and non-canonical base64 in secrets and signatures", () => {
    const unpadded = oldSecret.replace(/=+$/, "");
    assert.equal(code({ ...base, secret: unpadded }), "bad_secret");
    const sig = asSent.webhook_signature.replace(/=$/, "");
    assert.equal(code({ ...base, headers: { ...base.headers, "webhook-signature": sig }, secret: oldSecret }), "no_matching_signature");
  });

  it("never puts the secret in an error message", () => {
    try {
      verifyWebhook({ ...base, secret: oldSecret.slice(0, -4) });
    } catch (e) {
      assert.ok(e instanceof WebhookError);
      assert.ok(!e.message.includes(oldSecret.slice(6, 20)));
    }
  });
});
