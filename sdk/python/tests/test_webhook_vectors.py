"""Every case of shared/testdata/webhook-signature-vectors.json, plus what the vectors cannot
show: several secrets held while rotating, header lookup as web frameworks give headers,
and missing headers."""

import json
import unittest

from linkpay import WebhookVerificationError, sign_webhook, verify_webhook, verify_webhook_headers

from .vectors import load


def headers(case):
    # Mixed case on purpose: HTTP header names are case-insensitive.
    return {
        "Webhook-Id": case["webhook_id"],
        "webhook-timestamp": case["webhook_timestamp"],
        "WEBHOOK-SIGNATURE": case["webhook_signature"],
        "Content-Type": "application/json",
    }


class WebhookVectors(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.v = load("webhook-signature-vectors.json")

    def check(self, case, secrets=None):
        return verify_webhook(
            case["body"].encode("utf-8"),
            headers(case),
            case["secret"] if secrets is None else secrets,
            now=self.v["now"],
            tolerance=self.v["tolerance_secs"],
        )

    def test_every_case_verifies_or_fails_as_stated(self) -> None:
        self.assertTrue(any(c["error"] is None for c in self.v["cases"]))
        for case in self.v["cases"]:
            with self.subTest(case["name"]):
                if case["error"] is None:
                    self.assertEqual(self.check(case), json.loads(case["body"]))
                else:
                    with self.assertRaises(WebhookVerificationError) as caught:
                        self.check(case)
                    self.assertEqual(caught.exception.code, case["error"], str(caught.exception))

    def test_the_lower_level_call_agrees(self) -> None:
        for case in self.v["cases"]:
            with self.subTest(case["name"]):
                try:
                    verify_webhook_headers(
                        case["body"], case["webhook_id"], case["webhook_timestamp"],
                        case["webhook_signature"], case["secret"],
                        now=self.v["now"], tolerance=self.v["tolerance_secs"],
                    )
                    got = None
                except WebhookVerificationError as e:
                    got = e.code
                self.assertEqual(got, case["error"])

    def test_signing_reproduces_each_single_signature(self) -> None:
        for case in self.v["cases"]:
            sig = case["webhook_signature"]
            if case["error"] is None and " " not in sig and sig.startswith("v1,"):
                with self.subTest(case["name"]):
                    ts = int(case["webhook_timestamp"])
                    self.assertEqual(sign_webhook(case["secret"], case["webhook_id"], ts, case["body"]), sig)

    def test_a_receiver_holding_old_and_new_secrets_verifies_either(self) -> None:
        cases = self.v["cases"]
        old = next(c for c in cases if c["name"] == "a delivery as sent")
        new = next(c for c in cases if c["name"].startswith("signed with the new secret"))
        other = next(c for c in cases if c["name"] == "signed with another secret")
        self.assertNotEqual(old["secret"], new["secret"])
        both = [new["secret"], old["secret"]]
        # A delivery signed only with the old secret, or only with the new one.
        self.check(old, secrets=both)
        self.check(new, secrets=both)
        # A secret list given as any iterable.
        self.check(old, secrets=iter(both))
        # Neither secret: still refused.
        with self.assertRaises(WebhookVerificationError) as caught:
            self.check(other, secrets=[old["secret"]])
        self.assertEqual(caught.exception.code, "no_matching_signature")
        # One bad secret in the list is a setup error, reported as such.
        with self.assertRaises(WebhookVerificationError) as caught:
            self.check(old, secrets=[old["secret"], "whsec_short"])
        self.assertEqual(caught.exception.code, "bad_secret")
        with self.assertRaises(WebhookVerificationError) as caught:
            self.check(old, secrets=[])
        self.assertEqual(caught.exception.code, "bad_secret")

    def test_headers_as_frameworks_give_them(self) -> None:
        case = self.v["cases"][0]
        now, body = self.v["now"], case["body"].encode()
        pairs = [(k.lower(), v) for k, v in headers(case).items()]
        verify_webhook(body, pairs, case["secret"], now=now)  # ASGI-style list of pairs
        verify_webhook(body, [(k.encode(), v.encode()) for k, v in pairs], case["secret"], now=now)
        verify_webhook(case["body"], headers(case), case["secret"], now=now)  # str body
        for missing in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            with self.subTest(missing=missing):
                partial = {k: v for k, v in pairs if k != missing}
                with self.assertRaises(WebhookVerificationError) as caught:
                    verify_webhook(body, partial, case["secret"], now=now)
                self.assertEqual(caught.exception.code, "missing_header")

    def test_timestamps_are_read_strictly(self) -> None:
        case = self.v["cases"][0]
        for bad in ("", " ", "1767225600.0", "1_767_225_600", "１７６７２２５６００", "0x1"):
            with self.subTest(timestamp=bad):
                with self.assertRaises(WebhookVerificationError) as caught:
                    verify_webhook_headers(case["body"], case["webhook_id"], bad, case["webhook_signature"],
                                           case["secret"], now=self.v["now"])
                self.assertEqual(caught.exception.code, "bad_timestamp")

    def test_non_canonical_secrets_are_refused(self) -> None:
        secret = self.v["cases"][0]["secret"]
        for bad in (secret.rstrip("="), secret + "=", secret.replace("whsec_", "WHSEC_"), "whsec_" + "A" * 31 + "="):
            with self.subTest(secret=bad):
                with self.assertRaises(WebhookVerificationError) as caught:
                    sign_webhook(bad, "evt_1", 1, b"{}")
                self.assertEqual(caught.exception.code, "bad_secret")

    def test_errors_do_not_contain_the_secret(self) -> None:
        case = self.v["cases"][0]
        try:
            verify_webhook(b"{}", headers(case), case["secret"], now=self.v["now"])
        except WebhookVerificationError as e:
            self.assertNotIn(case["secret"][6:], str(e) + repr(e))
        else:
            self.fail("a changed body verified")


if __name__ == "__main__":
    unittest.main()
