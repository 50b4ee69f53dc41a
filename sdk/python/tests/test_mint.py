"""Minting rules beyond the vectors: claim validation as the Rust encoder does it, the
`link sign` defaults of mint_link, key choice by mode, and round trips."""

import datetime
import unittest

from linkpay import (
    KeyRing,
    LinkClaims,
    LinkTokenError,
    RingKey,
    link_url,
    mint_link,
    mint_link_token,
    new_link_id,
    verify_link_token,
)
from linkpay.token import MAX_TOKEN_LEN

NOW = 1_767_225_600
RING = KeyRing([
    RingKey("t2", bytes(range(32))),
    RingKey("l1", bytes(range(32, 64)), live=True),
    RingKey("t1", bytes(range(64, 96))),
], retired=["t0"])


def claims(**changes):
    base = dict(link_id="lnk_1", merchant_id="mch_1", currency="JPY", amount=1500,
                expires_at=NOW + 3600, title="Order")
    base.update(changes)
    return LinkClaims(**base)


class Minting(unittest.TestCase):
    def refused(self, code, field=None, **changes):
        with self.assertRaises(LinkTokenError) as caught:
            mint_link_token(claims(**changes), RING)
        self.assertEqual(caught.exception.code, code, str(caught.exception))
        if field:
            self.assertEqual(caught.exception.field, field)

    def test_round_trip_of_every_claim(self) -> None:
        full = claims(
            merchant_name="Shop", amount=None, amount_min=1, amount_max=99_999_999, usage=1_000_000,
            description="d", reference="r", locale="ja", free1="1", free2="2", free3="3",
            metadata={"z": "last", "a": "first", "m.x-y_z": "ü"},
        )
        token = mint_link_token(full, RING)
        back = verify_link_token(token, RING, now=NOW)
        self.assertEqual(list(back.metadata), ["a", "m.x-y_z", "z"])
        self.assertEqual(back, full)
        self.assertIsNone(back.use_limit if back.usage == "multi" else None)
        self.assertEqual(back.use_limit, 1_000_000)
        self.assertTrue(back.buyer_chooses_amount)
        # Metadata order does not change the token: one claim set, one encoding.
        self.assertEqual(mint_link_token(claims(metadata={"b": "1", "a": "2"}), RING),
                         mint_link_token(claims(metadata=[("a", "2"), ("b", "1")]), RING))

    def test_keys_by_mode(self) -> None:
        self.assertEqual(verify_link_token(mint_link_token(claims(), RING), RING, now=NOW).livemode, False)
        live = mint_link_token(claims(livemode=True), RING)
        self.assertTrue(verify_link_token(live, RING, now=NOW).livemode)
        self.assertNotEqual(mint_link_token(claims(), RING, kid="t1"), mint_link_token(claims(), RING))
        self.refused_kid("l1", "mode_mismatch")
        self.refused_kid("t0", "unknown_key")
        self.refused_kid("nope", "unknown_key")
        test_only = KeyRing([RingKey("t1", bytes(32))])
        with self.assertRaises(LinkTokenError) as caught:
            mint_link_token(claims(livemode=True), test_only)
        self.assertEqual(caught.exception.code, "no_signing_key")

    def refused_kid(self, kid, code):
        with self.assertRaises(LinkTokenError) as caught:
            mint_link_token(claims(), RING, kid=kid)
        self.assertEqual(caught.exception.code, code)

    def test_claims_are_checked_as_the_rust_encoder_checks_them(self) -> None:
        self.refused("unsupported_currency", currency="XXX")
        self.refused("amount_out_of_range", amount=0)
        self.refused("amount_out_of_range", amount=100_000_000)
        self.refused("amount_out_of_range", currency="USD", amount=None, amount_min=5, amount_max=4)
        self.refused("amount_out_of_range", amount=None, amount_min=0, amount_max=4)
        self.refused("bad_claims", "amount", amount=None)
        self.refused("bad_claims", "amount", amount_min=1, amount_max=5)
        self.refused("bad_claims", "amount", amount=1.5)
        self.refused("bad_claims", "amount", amount=True)
        self.refused("bad_claims", "link_id", link_id="lnk-1")
        self.refused("bad_claims", "link_id", link_id="l" * 65)
        self.refused("bad_claims", "link_id", link_id="ｌnk")
        self.refused("bad_claims", "merchant_id", merchant_id="")
        self.refused("bad_claims", "merchant_name", merchant_name="")
        self.refused("bad_claims", "merchant_name", merchant_name="m" * 81)
        self.refused("bad_claims", "usage", usage=1)
        self.refused("bad_claims", "usage", usage=1_000_001)
        self.refused("bad_claims", "usage", usage="single_use")
        self.refused("bad_claims", "title", title="\u3000 ")
        self.refused("bad_claims", "title", title="a\nb")
        self.refused("bad_claims", "title", title="a\x85b")
        self.refused("bad_claims", "title", title="\ud800")
        self.refused("bad_claims", "description", description="")
        self.refused("bad_claims", "reference", reference="r" * 65)
        self.refused("bad_claims", "free2", free2="f" * 101)
        self.refused("bad_claims", "metadata", metadata={f"k{i}": "v" for i in range(21)})
        self.refused("bad_claims", "metadata", metadata={"k" * 41: "v"})
        self.refused("bad_claims", "metadata", metadata={"ключ": "v"})
        self.refused("bad_claims", "metadata", metadata={"k": ""})
        self.refused("bad_claims", "metadata", metadata={"k": "v" * 501})
        self.refused("bad_claims", "metadata", metadata={"k": "a\tb"})
        self.refused("bad_claims", "metadata", metadata=[("k", "1"), ("k", "2")])
        self.refused("bad_claims", "expires_at", expires_at=0)
        self.refused("bad_claims", "locale", locale="fr")
        # Limits are characters, not bytes.
        mint_link_token(claims(title="お" * 100, metadata={"k": "値" * 500}), RING)

    def test_a_token_over_the_limit_is_refused(self) -> None:
        wide = "\U00020000"
        with self.assertRaises(LinkTokenError) as caught:
            mint_link_token(claims(description=wide * 300, free1=wide * 100, free2=wide * 100,
                                   free3=wide * 100), RING)
        self.assertEqual(caught.exception.code, "too_long")
        self.assertIn(str(MAX_TOKEN_LEN), str(caught.exception))

    def test_mint_link_defaults(self) -> None:
        link = mint_link(RING, "https://pay.example.com/", merchant_id="mch_1", title="Tea",
                         currency="jpy", amount=500, now=NOW)
        self.assertTrue(link.url.startswith("https://pay.example.com/l/"))
        self.assertEqual(link.url, link_url("https://pay.example.com", link.token))
        self.assertRegex(link.link_id, r"^lnk_[0-9A-Za-z]{20}$")
        c = link.claims
        self.assertEqual((c.expires_at, c.usage, c.locale, c.currency, c.livemode),
                         (NOW + 30 * 86_400, "single", "en", "JPY", False))
        self.assertEqual(verify_link_token(link.token, RING, now=NOW), c)
        chosen = mint_link(RING, "https://p.example", merchant_id="m", title="t", currency="KRW",
                           amount_min=1000, now=NOW).claims
        self.assertEqual((chosen.amount_min, chosen.amount_max), (1000, 999_999_999))
        self.assertEqual(mint_link(RING, "https://p.example", merchant_id="m", title="t", currency="USD",
                                   amount_max=500, now=NOW).claims.amount_min, 1)
        self.assertNotEqual(new_link_id(), new_link_id())

    def test_mint_link_expiry(self) -> None:
        def expires(**kw):
            return mint_link(RING, "https://p.example", merchant_id="m", title="t", currency="JPY",
                             amount=1, now=NOW, **kw).claims.expires_at

        self.assertEqual(expires(expires_in="7d"), NOW + 7 * 86_400)
        self.assertEqual(expires(expires_in="90s"), NOW + 90)
        self.assertEqual(expires(expires_in=datetime.timedelta(hours=12)), NOW + 43_200)
        self.assertEqual(expires(expires_in=3600), NOW + 3600)
        self.assertEqual(expires(expires_in="365d"), NOW + 365 * 86_400)
        self.assertEqual(expires(expires_at=NOW + 1), NOW + 1)
        for bad in (dict(expires_in="366d"), dict(expires_in="0d"), dict(expires_in="1w"), dict(expires_in=-1),
                    dict(expires_at=NOW), dict(expires_at=NOW + 365 * 86_400 + 1),
                    dict(expires_in="1d", expires_at=NOW + 5)):
            with self.subTest(**{k: str(v) for k, v in bad.items()}):
                with self.assertRaises(LinkTokenError) as caught:
                    expires(**bad)
                self.assertEqual(caught.exception.field, "expires_at")
        with self.assertRaises(LinkTokenError) as caught:
            mint_link(RING, "https://p.example", merchant_id="m", title="t", currency="JPY", amount=1,
                      amount_max=5)
        self.assertEqual(caught.exception.code, "bad_claims")

    def test_edge_urls(self) -> None:
        self.assertEqual(link_url(" https://pay.example.com// ", "t.m"), "https://pay.example.com/l/t.m")
        self.assertEqual(link_url("http://127.0.0.1:8787", "x"), "http://127.0.0.1:8787/l/x")
        for bad in ("pay.example.com", "https://", "https://p.example/?a=1", "ftp://p.example"):
            with self.subTest(bad=bad):
                with self.assertRaises(ValueError):
                    link_url(bad, "t")


if __name__ == "__main__":
    unittest.main()
