"""Every case of shared/testdata/redirect-signature-vectors.json, received as the raw string
and as the decoded parameters frameworks hand over."""

import unittest
import urllib.parse

from linkpay import RedirectVerificationError, parse_form, sign_redirect, verify_redirect
from linkpay.redirect import FIELDS, canonical_string

from .vectors import load


class MultiDict:
    """Stands in for Django's QueryDict / Werkzeug's MultiDict: repeated names in lists()."""

    def __init__(self, pairs):
        self._pairs = pairs

    def lists(self):
        out = {}
        for k, v in self._pairs:
            out.setdefault(k, []).append(v)
        return list(out.items())


class RedirectVectors(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.v = load("redirect-signature-vectors.json")

    def outcome(self, received, secret):
        try:
            verify_redirect(received, secret, now=self.v["now"], tolerance=self.v["tolerance_secs"])
        except RedirectVerificationError as e:
            return e.code
        return None

    def test_every_case_verifies_or_fails_as_stated(self) -> None:
        self.assertTrue(any(c["error"] is None for c in self.v["cases"]))
        for case in self.v["cases"]:
            with self.subTest(case["name"]):
                self.assertEqual(self.outcome(case["received"], case["secret"]), case["error"])

    def test_the_same_as_decoded_parameters(self) -> None:
        for case in self.v["cases"]:
            with self.subTest(case["name"]):
                pairs = parse_form(case["received"])
                self.assertEqual(pairs, urllib.parse.parse_qsl(case["received"], keep_blank_values=True))
                self.assertEqual(self.outcome(pairs, case["secret"]), case["error"])
                self.assertEqual(self.outcome(MultiDict(pairs), case["secret"]), case["error"])
                self.assertEqual(
                    self.outcome(urllib.parse.parse_qs(case["received"], keep_blank_values=True), case["secret"]),
                    case["error"],
                )
                self.assertEqual(self.outcome(case["received"].encode(), case["secret"]), case["error"])
                self.assertEqual(self.outcome("?" + case["received"], case["secret"]), case["error"])

    def test_canonical_strings_match(self) -> None:
        for case in self.v["cases"]:
            with self.subTest(case["name"]):
                pairs = parse_form(case["received"])
                if any(sum(1 for n, _ in pairs if n == f) != 1 for f in FIELDS):
                    # No single set of the eleven fields, so nothing to sign.
                    self.assertIsNone(case["canonical"])
                    continue
                got = dict(pairs)
                self.assertEqual(canonical_string({f: got[f] for f in FIELDS}), case["canonical"])

    def test_verified_fields_come_back_typed(self) -> None:
        paid = next(c for c in self.v["cases"] if c["name"].startswith("paid"))
        r = verify_redirect(paid["received"], paid["secret"], now=self.v["now"])
        self.assertTrue(r.paid)
        self.assertEqual((r.amount, r.currency, r.link_id, r.charge_id), (1500, "JPY", "lnk_0001", "ch_0001"))
        self.assertEqual((r.email, r.free1, r.free2, r.free3), ("buyer+shop@example.com", "member 42", "", "お会計"))
        self.assertEqual((r.reference, r.timestamp), ("ORDER-1001", self.v["now"]))
        unpaid = next(c for c in self.v["cases"] if c["name"].startswith("not paid"))
        self.assertFalse(verify_redirect(unpaid["received"], unpaid["secret"], now=self.v["now"]).paid)

    def test_signing_reproduces_the_vectors(self) -> None:
        for case in self.v["cases"]:
            if case["error"] is None:
                with self.subTest(case["name"]):
                    got = dict(parse_form(case["received"]))
                    signed = sign_redirect(case["secret"], {f: got[f] for f in FIELDS})
                    self.assertEqual(signed["signature"], got["signature"])

    def test_missing_and_duplicate_errors_name_the_field(self) -> None:
        paid = next(c for c in self.v["cases"] if c["name"].startswith("paid"))
        pairs = parse_form(paid["received"])
        with self.assertRaises(RedirectVerificationError) as caught:
            verify_redirect([p for p in pairs if p[0] != "email"], paid["secret"], now=self.v["now"])
        self.assertEqual((caught.exception.code, caught.exception.field), ("missing_field", "email"))
        with self.assertRaises(RedirectVerificationError) as caught:
            verify_redirect(pairs + [("signature", "v1=00")], paid["secret"], now=self.v["now"])
        self.assertEqual((caught.exception.code, caught.exception.field), ("duplicate_field", "signature"))

    def test_form_decoding_as_browsers_send_it(self) -> None:
        self.assertEqual(
            parse_form("a=1&b=x+y%2Bz&c&email=b%40x.jp&bad=%FF&p=100%&q=%4"),
            [("a", "1"), ("b", "x y+z"), ("c", ""), ("email", "b@x.jp"), ("p", "100%"), ("q", "%4")],
        )


if __name__ == "__main__":
    unittest.main()
