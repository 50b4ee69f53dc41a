"""Every case of shared/testdata/link-token-vectors.json: each valid token verifies to exactly
its claims and minting those claims with its key reproduces it byte for byte; each invalid
token fails with the vector's error code."""

import unittest

import linkpay
from linkpay import KeyRing, LinkClaims, LinkTokenError, RingKey, mint_link_token, verify_link_token
from linkpay import _b64
from linkpay import token as token_module

from .vectors import load

# Every error a verifier can give; each must have a vector, and the vectors may use no other.
VERIFY_CODES = {
    "too_long", "bad_encoding", "unsupported_version", "unknown_key", "bad_signature",
    "bad_claims", "unsupported_currency", "amount_out_of_range", "mode_mismatch", "expired",
}


class LinkTokenVectors(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.v = load("link-token-vectors.json")
        keys = []
        for kid in cls.v["key_order"]:
            secret = _b64.urlsafe_decode(cls.v["keys"][kid])
            assert secret is not None, kid
            keys.append(RingKey(kid=kid, secret=secret, live=kid in cls.v["live_kids"]))
        cls.ring = KeyRing(keys)
        cls.now = cls.v["now"]

    def test_the_file_is_the_format_this_sdk_follows(self) -> None:
        self.assertEqual(self.v["domain"].encode(), token_module.DOMAIN)
        self.assertEqual(set(self.v["keys"]), set(self.v["key_order"]))
        self.assertTrue(self.v["valid"])
        self.assertTrue(self.v["invalid"])

    def test_valid_tokens_verify_to_their_claims(self) -> None:
        for case in self.v["valid"]:
            with self.subTest(case["name"]):
                claims = verify_link_token(case["token"], self.ring, now=self.now)
                self.assertEqual(claims, LinkClaims.from_dict(case["claims"]))
                self.assertEqual(claims.to_dict(), case["claims"])
                # bytes are accepted as well as str
                self.assertEqual(verify_link_token(case["token"].encode(), self.ring, now=self.now), claims)

    def test_minting_reproduces_every_valid_token_byte_for_byte(self) -> None:
        for case in self.v["valid"]:
            with self.subTest(case["name"]):
                claims = LinkClaims.from_dict(case["claims"])
                self.assertEqual(mint_link_token(claims, self.ring, kid=case["kid"]), case["token"])
                # The ring's current key of the mode signs when no kid is named.
                current = self.ring.current(claims.livemode)
                assert current is not None
                if current.kid == case["kid"]:
                    self.assertEqual(mint_link_token(claims, self.ring), case["token"])

    def test_invalid_tokens_fail_with_the_vector_error(self) -> None:
        for case in self.v["invalid"]:
            with self.subTest(case["name"]):
                self.assertIn(case["error"], VERIFY_CODES)
                with self.assertRaises(LinkTokenError) as caught:
                    verify_link_token(case["token"], self.ring, now=self.now)
                self.assertEqual(caught.exception.code, case["error"], str(caught.exception))

    def test_every_error_code_has_a_vector(self) -> None:
        self.assertEqual({c["error"] for c in self.v["invalid"]}, VERIFY_CODES)

    def test_a_valid_token_expires_at_its_instant(self) -> None:
        case = self.v["valid"][0]
        expires_at = case["claims"]["expires_at"]
        verify_link_token(case["token"], self.ring, now=expires_at - 1)
        with self.assertRaises(LinkTokenError) as caught:
            verify_link_token(case["token"], self.ring, now=expires_at)
        self.assertEqual(caught.exception.code, "expired")

    def test_a_retired_key_no_longer_verifies(self) -> None:
        case = next(c for c in self.v["valid"] if c["kid"] == "k2")
        smaller = KeyRing([k for k in self.ring if k.kid != "k2"], retired=["k2"])
        with self.assertRaises(LinkTokenError) as caught:
            verify_link_token(case["token"], smaller, now=self.now)
        self.assertEqual(caught.exception.code, "unknown_key")

    def test_the_package_exports_what_the_readme_shows(self) -> None:
        for name in linkpay.__all__:
            self.assertTrue(hasattr(linkpay, name), name)
        self.assertEqual(linkpay.TOKEN_FORMAT_VERSION, token_module.VERSION)


if __name__ == "__main__":
    unittest.main()
