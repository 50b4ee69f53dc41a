import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RedirectError, redirectCanonical, REDIRECT_FIELDS, signRedirect, verifyRedirect, type Received } from "../src/index.js";
import { parseForm } from "../src/form.js";
import { readVectors, type RedirectCase, type SignatureVectors } from "./vectors.js";

const v = readVectors<SignatureVectors<RedirectCase>>("redirect-signature-vectors.json");

function code(received: Received, secret: string, now = v.now): string | null {
  try {
    verifyRedirect({ received, secret, now, toleranceSecs: v.tolerance_secs });
    return null;
  } catch (e) {
    assert.ok(e instanceof RedirectError, `not a RedirectError: ${String(e)}`);
    return e.code;
  }
}

describe("redirect vectors", () => {
  for (const c of v.cases) {
    it(`${c.name}: ${c.error ?? "verifies"}`, () => {
      assert.equal(code(c.received, c.secret), c.error);
      // The same, handed over as a framework would: URLSearchParams, pairs, a parsed object.
      assert.equal(code(new URLSearchParams(c.received), c.secret), c.error);
      assert.equal(code(parseForm(c.received), c.secret), c.error);
      const obj: Record<string, string | string[]> = {};
      for (const [name, value] of new URLSearchParams(c.received)) {
        const had = obj[name];
        obj[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
      }
      assert.equal(code(obj, c.secret), c.error);
    });
    if (c.canonical !== null) {
      it(`${c.name}: canonical string`, () => {
        const signed = Object.fromEntries(parseForm(c.received).filter(([n]) => (REDIRECT_FIELDS as readonly string[]).includes(n)));
        assert.equal(redirectCanonical(signed), c.canonical);
      });
    }
  }

  it("has a case for every error", () => {
    const codes = new Set(v.cases.map((c) => c.error));
    for (const name of ["bad_secret", "missing_field", "duplicate_field", "bad_timestamp", "timestamp_out_of_tolerance", "no_matching_signature"]) {
      assert.ok(codes.has(name), `no vector for ${name}`);
    }
  });
});

describe("verifyRedirect", () => {
  const paid = v.cases[0];
  assert.ok(paid && paid.error === null);

  it("returns the typed fields", () => {
    const got = verifyRedirect({ received: `?${paid.received}`, secret: paid.secret, now: v.now });
    assert.deepEqual(got, {
      rc: "0",
      paid: true,
      reference: "ORDER-1001",
      link_id: "lnk_0001",
      charge_id: "ch_0001",
      amount: 1500,
      currency: "JPY",
      email: "buyer+shop@example.com",
      free1: "member 42",
      free2: "",
      free3: "お会計",
      timestamp: v.now,
    });
  });

  it("verifies what signRedirect makes, and names the field that is missing or repeated", () => {
    const fields = Object.fromEntries(REDIRECT_FIELDS.map((f) => [f, ""])) as Record<(typeof REDIRECT_FIELDS)[number], string>;
    Object.assign(fields, { rc: "9", amount: "1999", currency: "USD", link_id: "lnk_1", charge_id: "ch_1", timestamp: String(v.now), free1: "a&b=c" });
    const signed = signRedirect(paid.secret, fields);
    assert.equal(verifyRedirect({ received: signed, secret: paid.secret, now: v.now }).paid, false);
    const { email: _, ...missing } = signed;
    try {
      verifyRedirect({ received: missing, secret: paid.secret, now: v.now });
      assert.fail("verified");
    } catch (e) {
      assert.ok(e instanceof RedirectError);
      assert.equal(e.code, "missing_field");
      assert.equal(e.field, "email");
    }
    assert.equal(code([...Object.entries(signed), ["signature", signed.signature]], paid.secret), "duplicate_field");
  });

  it("accepts the signature's hex in either case, and refuses odd or short hex", () => {
    const upper = paid.received.replace(/signature=v1%3D([0-9a-f]+)/, (_, hex: string) => `signature=v1%3D${hex.toUpperCase()}`);
    assert.equal(code(upper, paid.secret), null);
    assert.equal(code(paid.received.replace(/ac$/, "a"), paid.secret), "no_matching_signature");
    assert.equal(code(paid.received.replace(/ac$/, ""), paid.secret), "no_matching_signature");
  });

  it("skips pairs that are not UTF-8, as the reference does", () => {
    assert.deepEqual(parseForm("a=1&b=x+y%2Bz&c&email=b%40x.jp&bad=%FF"), [["a", "1"], ["b", "x y+z"], ["c", ""], ["email", "b@x.jp"]]);
    assert.deepEqual(parseForm("p=100%"), [["p", "100%"]]);
  });
});
