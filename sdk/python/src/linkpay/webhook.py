"""Webhook signatures per Standard Webhooks (https://www.standardwebhooks.com), as linkpay
signs its deliveries (docs/webhooks.md):

    webhook-signature: v1,<base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}"))>

where the key is the base64 part of the endpoint secret `whsec_<base64>`. During a secret
rotation linkpay sends one signature per secret, space separated, and any one may match;
a receiver can also hold several secrets (the old and the new while it deploys).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Iterable, List, Optional, Union

from . import _b64
from ._clock import now_or, parse_i64
from .errors import WebhookVerificationError

SECRET_PREFIX = "whsec_"
#: How far a delivery's timestamp may be from the receiver's clock, as the spec recommends.
DEFAULT_TOLERANCE_SECS = 300
#: Standard Webhooks secrets are at least 24 bytes.
MIN_SECRET_BYTES = 24

Secrets = Union[str, Iterable[str]]


def _secret(text: str) -> bytes:
    key = None
    if isinstance(text, str) and text.startswith(SECRET_PREFIX):
        key = _b64.standard_decode(text[len(SECRET_PREFIX) :])
    if key is None or len(key) < MIN_SECRET_BYTES:
        raise WebhookVerificationError(
            "bad_secret", "webhook secret must be whsec_ followed by base64 of at least 24 bytes"
        )
    return key


def _keys(secrets: Secrets) -> List[bytes]:
    listed = [secrets] if isinstance(secrets, str) else list(secrets)
    if not listed:
        raise WebhookVerificationError("bad_secret", "no webhook secret given")
    return [_secret(s) for s in listed]


def _body_bytes(body: Union[bytes, bytearray, memoryview, str]) -> bytes:
    # The signature covers the raw bytes; a str is taken as their UTF-8 decoding.
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def _mac(key: bytes, msg_id: str, timestamp: int, body: bytes) -> bytes:
    return hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()


def sign_webhook(secret: str, msg_id: str, timestamp: int, body: Union[bytes, str]) -> str:
    """The `webhook-signature` value linkpay sends for one message: `v1,<base64>`. For
    testing your handler."""
    return "v1," + _b64.standard_encode(_mac(_secret(secret), msg_id, timestamp, _body_bytes(body)))


def _header(headers: Any, name: str) -> str:
    # Case-insensitive, whatever the mapping: a dict, Flask/Werkzeug's Headers, Django's
    # request.headers, Starlette's Headers, or a list of pairs.
    items = headers.items() if hasattr(headers, "items") else headers
    for key, value in items:
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if key.lower() == name:
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    raise WebhookVerificationError("missing_header", f"the {name} header is missing")


def verify_webhook_headers(
    body: Union[bytes, str],
    msg_id: str,
    timestamp: str,
    signatures: str,
    secrets: Secrets,
    now: Optional[int] = None,
    tolerance: int = DEFAULT_TOLERANCE_SECS,
) -> None:
    """Verifies the three `webhook-*` header values against the raw `body`. `secrets` is one
    `whsec_…` secret or several (any may match). Raises WebhookVerificationError."""
    keys = _keys(secrets)
    ts = parse_i64(timestamp.strip())
    if ts is None:
        raise WebhookVerificationError("bad_timestamp", "webhook-timestamp is missing or not a number")
    if abs(now_or(now) - ts) > tolerance:
        raise WebhookVerificationError(
            "timestamp_out_of_tolerance", "webhook-timestamp is outside the tolerance"
        )
    raw = _body_bytes(body)
    # The number as parsed is what is signed, as the Rust verifier does.
    expected = [_mac(key, msg_id, ts, raw) for key in keys]
    for sig in signatures.split():
        if not sig.startswith("v1,"):
            continue  # other versions are skipped, per the spec
        candidate = _b64.standard_decode(sig[3:])
        if candidate is None:
            continue
        # Compare against every key without stopping early, so timing says nothing about
        # which secret matched.
        matched = False
        for mac in expected:
            matched |= hmac.compare_digest(mac, candidate)
        if matched:
            return
    raise WebhookVerificationError("no_matching_signature", "no webhook-signature matches")


def verify_webhook(
    body: Union[bytes, str],
    headers: Any,
    secrets: Secrets,
    now: Optional[int] = None,
    tolerance: int = DEFAULT_TOLERANCE_SECS,
) -> Any:
    """Verifies a delivery and returns its JSON body, parsed.

    `body` is the raw request body (bytes; don't re-serialise parsed JSON). `headers` is any
    mapping of the request's headers (looked up case-insensitively). `secrets` is the
    endpoint's `whsec_…` secret, or a list of them while you rotate it. `now` defaults to the
    clock; `tolerance` is in seconds. Raises WebhookVerificationError with `.code`
    bad_secret, missing_header, bad_timestamp, timestamp_out_of_tolerance or
    no_matching_signature.
    """
    listed = [secrets] if isinstance(secrets, str) else list(secrets)
    _keys(listed)  # a bad secret is a setup error: say so before looking at the request
    verify_webhook_headers(
        body,
        _header(headers, "webhook-id"),
        _header(headers, "webhook-timestamp"),
        _header(headers, "webhook-signature"),
        listed,
        now=now,
        tolerance=tolerance,
    )
    return json.loads(_body_bytes(body))
