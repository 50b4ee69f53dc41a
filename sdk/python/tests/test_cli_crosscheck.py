"""Cross-check with the real `linkpay` command: the SDK must mint the URL `linkpay link sign`
prints, byte for byte, from the same key file and inputs.

Skipped unless LINKPAY_BIN names the binary, e.g. from the repository root:

    cargo build -p linkpay-origin   # or however you build target/debug/linkpay
    LINKPAY_BIN=target/debug/linkpay python3 -m unittest discover -s sdk/python/tests -t sdk/python
"""

import os
import re
import stat
import subprocess
import tempfile
import time
import unittest
from typing import Any, Dict, List, Tuple

from linkpay import (
    LinkTokenError,
    mint_link,
    parse_key_file,
    parse_key_ring,
    read_key_file,
    verify_link_token,
)
from linkpay.token import DEFAULT_TTL_SECS

BIN = os.environ.get("LINKPAY_BIN", "")
EDGE = "https://pay.example.com"

# (`link sign` options, the same as mint_link keyword arguments). --merchant-id, --link-id,
# --expires-at and --edge-url are added to each, so the CLI's inputs are fully fixed.
MIXES: List[Tuple[List[str], Dict[str, Any]]] = [
    (["--title", "Order #1001", "--currency", "JPY", "--amount", "1500", "--locale", "ja"],
     dict(title="Order #1001", currency="JPY", amount=1500, locale="ja")),
    (["--title", "Donation", "--currency", "USD", "--min", "500", "--max", "100000", "--usage", "multi"],
     dict(title="Donation", currency="USD", amount_min=500, amount_max=100000, usage="multi")),
    (["--title", "Tip", "--currency", "KRW", "--min", "1000"],
     dict(title="Tip", currency="KRW", amount_min=1000)),
    (["--title", "Any amount", "--currency", "THB", "--max", "999999999", "--usage", "1000000"],
     dict(title="Any amount", currency="THB", amount_max=999999999, usage=1000000)),
    (["--title", "Workshop", "--currency", "EUR", "--amount", "2500", "--usage", "10"],
     dict(title="Workshop", currency="EUR", amount=2500, usage=10)),
    (["--title", "Tea", "--currency", "gbp", "--amount", "99999999", "--locale", "EN"],
     dict(title="Tea", currency="gbp", amount=99999999, locale="EN")),
    (["--title", "Order", "--currency", "JPY", "--amount", "1200",
      "--metadata", "order=1042", "--metadata", "channel=sms", "--metadata", "a.b-c_d=ü ✓"],
     dict(title="Order", currency="JPY", amount=1200, metadata={"order": "1042", "channel": "sms", "a.b-c_d": "ü ✓"})),
    (["--title", "Order", "--currency", "SGD", "--amount", "990",
      "--free1", "customer 42", "--free3", "branch: Osaka"],
     dict(title="Order", currency="SGD", amount=990, free1="customer 42", free3="branch: Osaka")),
    (["--title", "お会計", "--currency", "JPY", "--amount", "3300", "--merchant-name", "京都茶房",
      "--description", "抹茶と和菓子のセット", "--reference", "ORD-1042", "--locale", "ja"],
     dict(title="お会計", currency="JPY", amount=3300, merchant_name="京都茶房",
          description="抹茶と和菓子のセット", reference="ORD-1042", locale="ja")),
    (["--title", "Live order", "--currency", "MYR", "--amount", "1000", "--live"],
     dict(title="Live order", currency="MYR", amount=1000, live=True)),
    (["--title", "Old key", "--currency", "JPY", "--amount", "100", "--kid", "k1"],
     dict(title="Old key", currency="JPY", amount=100, kid="k1")),
    (["--title", "Live, named key", "--currency", "JPY", "--amount", "100", "--live", "--kid", "k2"],
     dict(title="Live, named key", currency="JPY", amount=100, live=True, kid="k2")),
    (["--title", "T" * 100, "--currency", "USD", "--amount", "1", "--description", "d" * 300,
      "--reference", "r" * 64, "--free1", "a" * 100, "--free2", "b" * 100, "--free3", "c" * 100,
      "--merchant-name", "m" * 80, "--usage", "2"],
     dict(title="T" * 100, currency="USD", amount=1, description="d" * 300, reference="r" * 64,
          free1="a" * 100, free2="b" * 100, free3="c" * 100, merchant_name="m" * 80, usage=2)),
]

# Inputs both must refuse: the CLI with status 2, the SDK with LinkTokenError of this code.
WIDE = "\U00020000"  # four UTF-8 bytes, one character
REFUSED: List[Tuple[List[str], Dict[str, Any], str]] = [
    (["--title", "x", "--currency", "JPY", "--amount", "100000000"],
     dict(title="x", currency="JPY", amount=100000000), "amount_out_of_range"),
    (["--title", "x", "--currency", "XXX", "--amount", "1"],
     dict(title="x", currency="XXX", amount=1), "unsupported_currency"),
    (["--title", "x", "--currency", "USD", "--min", "600", "--max", "500"],
     dict(title="x", currency="USD", amount_min=600, amount_max=500), "amount_out_of_range"),
    (["--title", "x", "--currency", "USD", "--min", "0"],
     dict(title="x", currency="USD", amount_min=0), "amount_out_of_range"),
    (["--title", "x", "--currency", "USD", "--amount", "1", "--usage", "1"],
     dict(title="x", currency="USD", amount=1, usage=1), "bad_claims"),
    (["--title", "T" * 101, "--currency", "USD", "--amount", "1"],
     dict(title="T" * 101, currency="USD", amount=1), "bad_claims"),
    (["--title", " ", "--currency", "USD", "--amount", "1"],
     dict(title=" ", currency="USD", amount=1), "bad_claims"),
    (["--title", "x", "--currency", "USD", "--amount", "1", "--merchant-name", ""],
     dict(title="x", currency="USD", amount=1, merchant_name=""), "bad_claims"),
    (["--title", "x", "--currency", "USD", "--amount", "1", "--metadata", "bad key=v"],
     dict(title="x", currency="USD", amount=1, metadata={"bad key": "v"}), "bad_claims"),
    (["--title", "x", "--currency", "USD", "--amount", "1", "--kid", "k2"],
     dict(title="x", currency="USD", amount=1, kid="k2"), "mode_mismatch"),
    (["--title", "x", "--currency", "USD", "--amount", "1", "--kid", "k9"],
     dict(title="x", currency="USD", amount=1, kid="k9"), "unknown_key"),
    (["--title", "x", "--currency", "USD", "--amount", "1", "--description", WIDE * 300,
      "--free1", WIDE * 100, "--free2", WIDE * 100, "--free3", WIDE * 100],
     dict(title="x", currency="USD", amount=1, description=WIDE * 300, free1=WIDE * 100,
          free2=WIDE * 100, free3=WIDE * 100), "too_long"),
]


@unittest.skipUnless(
    BIN,
    "set LINKPAY_BIN to the linkpay binary (e.g. LINKPAY_BIN=target/debug/linkpay) to cross-check "
    "minting against `linkpay link sign`",
)
class CliCrossCheck(unittest.TestCase):
    def setUp(self) -> None:
        tmp = tempfile.TemporaryDirectory(prefix="linkpay-sdk-")
        self.addCleanup(tmp.cleanup)
        self.file = os.path.join(tmp.name, "link-keys")
        env = {k: v for k, v in os.environ.items() if not k.startswith("LINKPAY_")}
        self.env = env
        self.run_cli("keys", "new", "--file", self.file)
        # A second test key in front: k3 signs test links, k1 only verifies (and --kid k1 signs).
        self.run_cli("keys", "rotate", "--file", self.file)

    def run_cli(self, *args: str, expect: int = 0) -> str:
        done = subprocess.run([BIN, *args], env=self.env, capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, expect, f"linkpay {' '.join(args[:3])}…: {done.stderr}")
        return done.stdout

    def test_the_key_file_is_private_and_parses_as_the_exported_ring(self) -> None:
        self.assertEqual(stat.S_IMODE(os.stat(self.file).st_mode), 0o600)
        from_file = read_key_file(self.file)
        self.assertEqual([(k.kid, k.live) for k in from_file], [("k3", False), ("k1", False), ("k2", True)])
        ring = parse_key_ring(self.run_cli("keys", "export", "--file", self.file).strip())
        self.assertEqual([(k.kid, k.secret, k.live) for k in ring], [(k.kid, k.secret, k.live) for k in from_file])
        self.assertEqual(from_file.export(), self.run_cli("keys", "export", "--file", self.file).strip())

    def test_the_sdk_mints_the_url_link_sign_prints(self) -> None:
        keys = read_key_file(self.file)
        expires_at = int(time.time()) + 7 * 86_400
        for i, (cli, sdk) in enumerate(MIXES):
            with self.subTest(cli=" ".join(cli)[:80]):
                link_id = f"lnk_crosscheck_{i}"
                url = self.run_cli(
                    "link", "sign", "--keys", self.file, "--edge-url", EDGE + "/", "--merchant-id", "mch_cross",
                    "--link-id", link_id, "--expires-at", str(expires_at), *cli,
                ).strip()
                minted = mint_link(keys, EDGE, merchant_id="mch_cross", link_id=link_id, expires_at=expires_at, **sdk)
                self.assertEqual(minted.url, url)
                claims = verify_link_token(url.rsplit("/", 1)[1], keys)
                self.assertEqual(claims, minted.claims)

    def test_the_defaults_match_link_sign(self) -> None:
        keys = read_key_file(self.file)
        before = int(time.time())
        url = self.run_cli("link", "sign", "--keys", self.file, "--merchant-id", "mch_cross",
                           "--title", "Defaults", "--currency", "JPY", "--amount", "500").strip()
        after = int(time.time())
        self.assertTrue(url.startswith("http://127.0.0.1:8787/l/"), url)
        claims = verify_link_token(url.rsplit("/", 1)[1], keys)
        self.assertRegex(claims.link_id, r"^lnk_[0-9A-Za-z]{20}$")
        self.assertTrue(before + DEFAULT_TTL_SECS <= claims.expires_at <= after + DEFAULT_TTL_SECS)
        self.assertEqual((claims.usage, claims.locale, claims.livemode), ("single", "en", False))
        ours = mint_link(keys, "http://127.0.0.1:8787", merchant_id="mch_cross", title="Defaults",
                         currency="JPY", amount=500, now=claims.expires_at - DEFAULT_TTL_SECS,
                         link_id=claims.link_id)
        self.assertEqual(ours.url, url)
        self.assertRegex(mint_link(keys, EDGE, merchant_id="m", title="t", currency="JPY", amount=1).link_id,
                         r"^lnk_[0-9A-Za-z]{20}$")

    def test_both_refuse_the_same_bad_inputs(self) -> None:
        keys = read_key_file(self.file)
        expires_at = int(time.time()) + 86_400
        for cli, sdk, code in REFUSED:
            with self.subTest(cli=" ".join(cli)[:80]):
                self.run_cli("link", "sign", "--keys", self.file, "--merchant-id", "mch_cross",
                             "--link-id", "lnk_x", "--expires-at", str(expires_at), *cli, expect=2)
                with self.assertRaises(LinkTokenError) as caught:
                    mint_link(keys, EDGE, merchant_id="mch_cross", link_id="lnk_x", expires_at=expires_at, **sdk)
                self.assertEqual(caught.exception.code, code, str(caught.exception))

    def test_a_retired_key_is_gone_from_both(self) -> None:
        self.run_cli("keys", "retire", "k1", "--file", self.file)
        with open(self.file, encoding="utf-8") as f:
            keys = parse_key_file(f.read())
        self.assertIn("k1", keys.retired)
        self.assertIsNone(keys.get("k1"))
        self.run_cli("link", "sign", "--keys", self.file, "--merchant-id", "m", "--title", "t",
                     "--currency", "JPY", "--amount", "1", "--kid", "k1", expect=2)
        with self.assertRaises(LinkTokenError) as caught:
            mint_link(keys, EDGE, merchant_id="m", title="t", currency="JPY", amount=1, kid="k1")
        self.assertEqual(caught.exception.code, "unknown_key")
        self.assertRegex(str(caught.exception), re.compile("retired"))


if __name__ == "__main__":
    unittest.main()
