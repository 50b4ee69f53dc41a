"""Runs Stripe's official Python library against the local Stripe fake, for every operation
linkpay's Stripe connector performs, with the same parameters, so that the Rust test
(origin/tests/stripe_library.rs) can compare the library's requests with the connector's and
know the fake's answers parse as Stripe's own code expects.

    python check_fake.py BASE_URL SECRET_KEY WEBHOOK_FILE

WEBHOOK_FILE is JSON {"body", "signature", "secret"}: a delivery the fake signed, which must
verify with stripe.Webhook.construct_event and fail once tampered or too old. Prints one JSON
object: what each call answered, as the library parsed it. Exits non-zero on any mismatch.
"""

import json
import sys
import time
import urllib.parse
import urllib.request

import stripe


def pay(base, session_id, card):
    """The buyer types a card on the fake's page (no redirect followed)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    data = urllib.parse.urlencode(
        {"card_number": card, "expiry": "12 / 34", "cvc": "123"}
    ).encode()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(f"{base}/checkout/{session_id}", data=data)
    except urllib.error.HTTPError as e:  # the 303 is raised once redirects are refused
        assert e.code == 303, e.code


def session_params(charge, capture):
    """What linkpay sends to create a Checkout Session (providers/stripe/mod.rs)."""
    return {
        "mode": "payment",
        "client_reference_id": charge,
        "line_items": [
            {
                "price_data": {
                    "currency": "jpy",
                    "unit_amount": 1500,
                    "product_data": {"name": "Tea"},
                },
                "quantity": 1,
            }
        ],
        "payment_method_types": ["card"],
        "payment_intent_data": {
            "capture_method": capture,
            "metadata": {"linkpay_charge": charge},
        },
        "metadata": {"linkpay_charge": charge},
        "success_url": "http://origin.test/return/stripe?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": f"http://origin.test/return/stripe?charge={charge}&canceled=1",
    }


EXPAND = ["payment_intent", "payment_intent.latest_charge"]


def main():
    base, key, webhook_file = sys.argv[1], sys.argv[2], sys.argv[3]
    client = stripe.StripeClient(key, base_addresses={"api": base}, max_network_retries=0)
    v1 = client.v1
    out = {}

    account = v1.accounts.retrieve_current()
    assert isinstance(account, stripe.Account), type(account)
    out["account"] = account.id

    # Automatic capture: create, pay, retrieve as linkpay does on the return.
    s = v1.checkout.sessions.create(
        params=session_params("ch_auto", "automatic"),
        options={"idempotency_key": "linkpay-session-ch_auto"},
    )
    assert isinstance(s, stripe.checkout.Session), type(s)
    pay(base, s.id, "4242424242424242")
    s = v1.checkout.sessions.retrieve(s.id, params={"expand": EXPAND})
    assert s.status == "complete", s.status
    assert isinstance(s.payment_intent, stripe.PaymentIntent), type(s.payment_intent)
    assert isinstance(s.payment_intent.latest_charge, stripe.Charge)
    out["automatic"] = {
        "status": s.payment_intent.status,
        "amount_received": s.payment_intent.amount_received,
        "last4": s.payment_intent.latest_charge.payment_method_details.card.last4,
    }

    # Partial refunds, one replayed under its key.
    pi = s.payment_intent.id
    r1 = v1.refunds.create(
        params={"payment_intent": pi, "amount": 300, "metadata": {"linkpay_refund": "re_1"}},
        options={"idempotency_key": "linkpay-refund-re_1"},
    )
    again = v1.refunds.create(
        params={"payment_intent": pi, "amount": 300, "metadata": {"linkpay_refund": "re_1"}},
        options={"idempotency_key": "linkpay-refund-re_1"},
    )
    assert isinstance(r1, stripe.Refund) and again.id == r1.id, (r1.id, again.id)
    r2 = v1.refunds.create(
        params={"payment_intent": pi, "amount": 200, "metadata": {"linkpay_refund": "re_2"}},
        options={"idempotency_key": "linkpay-refund-re_2"},
    )
    try:
        v1.refunds.create(
            params={"payment_intent": pi, "amount": 999, "metadata": {"linkpay_refund": "re_1"}},
            options={"idempotency_key": "linkpay-refund-re_1"},
        )
        raise AssertionError("a reused key with other parameters must fail")
    except stripe.IdempotencyError:
        pass
    out["refunds"] = [r1.amount, r2.amount]

    # Manual capture of part of it.
    s = v1.checkout.sessions.create(
        params=session_params("ch_manual", "manual"),
        options={"idempotency_key": "linkpay-session-ch_manual"},
    )
    pay(base, s.id, "4242424242424242")
    s = v1.checkout.sessions.retrieve(s.id, params={"expand": EXPAND})
    assert s.payment_intent.status == "requires_capture", s.payment_intent.status
    captured = v1.payment_intents.capture(
        s.payment_intent.id,
        params={"amount_to_capture": 1000},
        options={"idempotency_key": f"linkpay-capture-{s.id}"},
    )
    assert isinstance(captured, stripe.PaymentIntent)
    out["captured"] = captured.amount_received

    # A void.
    s = v1.checkout.sessions.create(
        params=session_params("ch_void", "manual"),
        options={"idempotency_key": "linkpay-session-ch_void"},
    )
    pay(base, s.id, "4242424242424242")
    s = v1.checkout.sessions.retrieve(s.id, params={"expand": EXPAND})
    canceled = v1.payment_intents.cancel(
        s.payment_intent.id, options={"idempotency_key": f"linkpay-void-{s.id}"}
    )
    out["voided"] = canceled.status

    # The buyer leaves: the session is expired.
    s = v1.checkout.sessions.create(
        params=session_params("ch_left", "automatic"),
        options={"idempotency_key": "linkpay-session-ch_left"},
    )
    expired = v1.checkout.sessions.expire(
        s.id, params={"expand": EXPAND}, options={"idempotency_key": f"linkpay-expire-{s.id}"}
    )
    out["expired"] = expired.status

    # Errors come back as the library's own exceptions.
    try:
        v1.payment_intents.retrieve("pi_nobody")
        raise AssertionError("a missing object must fail")
    except stripe.InvalidRequestError as e:
        out["missing"] = e.code

    # A webhook the fake signed verifies with Stripe's code, and fails tampered or too old.
    with open(webhook_file) as f:
        hook = json.load(f)
    event = stripe.Webhook.construct_event(hook["body"], hook["signature"], hook["secret"])
    out["webhook"] = event.type
    old = int(time.time()) - 301
    for body, header in [
        (hook["body"].replace("1500", "15000"), hook["signature"]),
        (
            hook["body"],
            stripe.WebhookSignature.generate_signature_header(hook["body"], hook["secret"], old),
        ),
    ]:
        try:
            stripe.Webhook.construct_event(body, header, hook["secret"])
            raise AssertionError("a tampered or old webhook must fail")
        except stripe.SignatureVerificationError:
            pass
    print(json.dumps(out))


if __name__ == "__main__":
    main()
