// Cross-check with the real CLI: the SDK must mint the URL `linkpay link sign` prints, from
// the same key file and inputs. Needs the binary: LINKPAY_BIN=/path/to/linkpay npm test
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mintLink, parseKeyRing, readKeyFile, type KeyRing, type MintLinkOptions } from "../src/index.js";

const BIN = process.env["LINKPAY_BIN"];
const skip = BIN ? false : "set LINKPAY_BIN to a linkpay binary to cross-check with `linkpay link sign` (from sdk/node: LINKPAY_BIN=../../target/debug/linkpay npm test)";

const EDGE = "https://pay.example.com";

type Case = { name: string; args: string[]; options: Partial<MintLinkOptions> };

describe("the same links as `linkpay link sign`", { skip }, () => {
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = now + 7 * 86_400;
  const cases: Case[] = [
    { name: "fixed amount, defaults", args: ["--amount", "1500", "--currency", "JPY"], options: { amount: 1500, currency: "JPY" } },
    {
      name: "buyer-chosen bounds, usage N, ja",
      args: ["--min", "500", "--max", "100000", "--currency", "USD", "--usage", "10", "--locale", "ja"],
      options: { min: 500, max: 100_000, currency: "USD", usage: 10, locale: "ja" },
    },
    {
      name: "minimum only, multi use",
      args: ["--min", "100", "--currency", "KRW", "--usage", "multi"],
      options: { min: 100, currency: "KRW", usage: "multi" },
    },
    {
      name: "metadata out of order, free fields, description, reference, merchant name",
      args: [
        "--amount", "2500", "--currency", "eur", "--merchant-name", "Kyoto Tea House",
        "--description", "Two coffees, そして お茶", "--reference", "ORD-1042",
        "--free1", "customer 42", "--free3", "branch: Osaka",
        "--metadata", "order=1042", "--metadata", "channel=sms", "--metadata", "a.b-c_d=x=y",
      ],
      options: {
        amount: 2500, currency: "eur", merchantName: "Kyoto Tea House", description: "Two coffees, そして お茶",
        reference: "ORD-1042", free1: "customer 42", free3: "branch: Osaka",
        metadata: { order: "1042", channel: "sms", "a.b-c_d": "x=y" },
      },
    },
    {
      name: "an older test key chosen with --kid",
      args: ["--kid", "k1", "--amount", "1", "--currency", "MYR"],
      options: { kid: "k1", amount: 1, currency: "MYR" },
    },
    {
      name: "four-byte characters and a merchant name at 80 characters",
      args: ["--amount", "1000", "--currency", "SGD", "--description", "🍵 tea 𠮷", "--merchant-name", "名".repeat(80)],
      options: { amount: 1000, currency: "SGD", description: "🍵 tea 𠮷", merchantName: "名".repeat(80) },
    },
    { name: "a live link", args: ["--amount", "99999999", "--currency", "THB", "--live"], options: { amount: 99_999_999, currency: "THB", live: true } },
    {
      name: "a live link, buyer-chosen, free2",
      args: ["--live", "--max", "5000", "--currency", "GBP", "--free2", "x", "--usage", "1000000"],
      options: { live: true, max: 5000, currency: "GBP", free2: "x", usage: 1_000_000 },
    },
  ];

  let dir = "";
  let file = "";
  const run = (...args: string[]) =>
    execFileSync(BIN ?? "", args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LINKPAY_LINK_KEYS_FILE: "", LINKPAY_EDGE_URL: "" },
    }).trim();
  let keys: KeyRing;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "linkpay-sdk-cli-"));
    file = join(dir, "link-keys");
    // k1 test and k2 live, then a rotation: k3 signs test links and k1 only verifies.
    run("keys", "new", "--file", file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    run("keys", "rotate", "--file", file);
    keys = readKeyFile(file);
    assert.deepEqual(keys.keys.map((k) => k.kid), ["k3", "k1", "k2"]);
  });
  after(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true });
  });

  for (const [i, c] of cases.entries()) {
    it(c.name, () => {
      const linkId = `lnk_sdk_${i}`;
      const title = `Case ${i}: ${c.name}`;
      const cli = run("link", "sign", "--keys", file, "--edge-url", EDGE, "--link-id", linkId, "--expires-at",
        String(expiresAt), "--merchant-id", "mch_demo", "--title", title, ...c.args);
      const sdk = mintLink({ keys, edgeUrl: EDGE, linkId, expiresAt, merchantId: "mch_demo", title, now, currency: "", ...c.options });
      assert.equal(sdk.url, cli);
    });
  }

  it("reads the ring `keys export` prints as the same keys", () => {
    const ring = parseKeyRing(run("keys", "export", "--file", file));
    const options = { edgeUrl: EDGE, linkId: "lnk_x", expiresAt, merchantId: "mch_demo", title: "x", currency: "JPY", amount: 1, now };
    assert.deepEqual(ring.keys, keys.keys);
    assert.equal(mintLink({ ...options, keys: ring }).url, mintLink({ ...options, keys }).url);
    assert.equal(mintLink({ ...options, keys: ring, live: true }).url, mintLink({ ...options, keys, live: true }).url);
  });
});
