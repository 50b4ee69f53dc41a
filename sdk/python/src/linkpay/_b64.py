"""Strict base64 decoding.

linkpay's formats accept exactly one text form per byte string: no padding where the
format has none, no characters outside the alphabet, and no non-zero unused trailing bits.
The standard library's decoders are lenient about the last two, so each decoder here
re-encodes what it decoded and refuses input that does not come back identical.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Optional

_URLSAFE = re.compile(r"[A-Za-z0-9_-]*")
_STANDARD = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def urlsafe_encode(data: bytes) -> str:
    """base64url (RFC 4648 §5) without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def urlsafe_decode(text: str) -> Optional[bytes]:
    """Decodes base64url without padding, strictly; None if `text` is not canonical."""
    if not _URLSAFE.fullmatch(text) or len(text) % 4 == 1:
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if urlsafe_encode(data) == text else None


def standard_encode(data: bytes) -> str:
    """base64 (RFC 4648 §4) with padding, as Standard Webhooks writes secrets and signatures."""
    return base64.b64encode(data).decode("ascii")


def standard_decode(text: str) -> Optional[bytes]:
    """Decodes padded base64, strictly; None if `text` is not canonical."""
    if not _STANDARD.fullmatch(text) or len(text) % 4 != 0:
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if standard_encode(data) == text else None
