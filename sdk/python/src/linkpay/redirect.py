"""The signed redirect back to a merchant's return URL (docs/redirects.md, signature v1).

After paying, the buyer's browser brings eleven fields to the merchant (a GET query or an
auto-submitted POST form) plus `signature = "v1=" + hex(HMAC-SHA256(secret, canonical))`,
where the key is the whole `rsec_…` string as UTF-8 and the canonical string is the fields
sorted by name, each `name=value` with the value percent-encoded per RFC 3986, joined by `&`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from ._clock import now_or, parse_i64
from .errors import RedirectVerificationError

SECRET_PREFIX = "rsec_"
DEFAULT_TOLERANCE_SECS = 300
SIGNATURE_FIELD = "signature"
#: The signed fields of v1, in canonical (sorted) order.
FIELDS: Tuple[str, ...] = (
    "amount",
    "charge_id",
    "currency",
    "email",
    "free1",
    "free2",
    "free3",
    "link_id",
    "rc",
    "reference",
    "timestamp",
)

_SECRET_BODY = re.compile(r"[A-Za-z0-9_-]{32,}")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})*")
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

Received = Union[str, bytes, Mapping[str, Any], Iterable[Tuple[str, str]]]


@dataclass(frozen=True)
class RedirectResult:
    """The verified fields. `paid` is rc == "0"; rc "9" is not paid (declined, failed or
    expired). Text fields are "" when the link or buyer gave no value."""

    rc: str
    reference: str
    link_id: str
    charge_id: str
    amount: int
    currency: str
    email: str
    free1: str
    free2: str
    free3: str
    timestamp: int

    @property
    def paid(self) -> bool:
        return self.rc == "0"


def _key(secret: str) -> bytes:
    if not (
        isinstance(secret, str)
        and secret.startswith(SECRET_PREFIX)
        and _SECRET_BODY.fullmatch(secret[len(SECRET_PREFIX) :])
    ):
        raise RedirectVerificationError(
            "bad_secret", "return URL secret must be rsec_ followed by at least 32 base64url characters"
        )
    # The whole text is the key, so a merchant can use the secret exactly as it is shown.
    return secret.encode("ascii")


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of UTF-8: only `A-Z a-z 0-9 - . _ ~` stay as they are."""
    return "".join(chr(b) if b in _UNRESERVED else f"%{b:02X}" for b in value.encode("utf-8"))


def canonical_string(fields: Mapping[str, str]) -> str:
    """The string that is signed, from the eleven field values."""
    return "&".join(f"{name}={percent_encode(fields[name])}" for name in sorted(fields))


def _hex_value(c: int) -> Optional[int]:
    ch = chr(c)
    return int(ch, 16) if ch in "0123456789abcdefABCDEF" else None


def _form_decode(raw: bytes) -> Optional[str]:
    # As browsers encode forms: "+" is a space, "%XX" a byte, a stray "%" stays itself.
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x2B:  # +
            out.append(0x20)
        elif c == 0x25 and i + 2 < len(raw):  # %XX
            hi, lo = _hex_value(raw[i + 1]), _hex_value(raw[i + 2])
            if hi is not None and lo is not None:
                out.append(hi << 4 | lo)
                i += 2
            else:
                out.append(c)
        else:
            out.append(c)
        i += 1
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        return None


def parse_form(text: Union[str, bytes]) -> List[Tuple[str, str]]:
    """Decodes an `application/x-www-form-urlencoded` string (a POST body, or a query
    string with or without its `?`) into (name, value) pairs, in order, repeats kept.
    Pairs that are not UTF-8 once decoded are skipped."""
    raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if raw.startswith(b"?"):
        raw = raw[1:]
    pairs = []
    for part in raw.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        n, v = _form_decode(name), _form_decode(value)
        if n is not None and v is not None:
            pairs.append((n, v))
    return pairs


def _pairs(received: Received) -> List[Tuple[str, str]]:
    if isinstance(received, (str, bytes)):
        return parse_form(received)
    # Django's QueryDict and Werkzeug's MultiDict keep repeated names in lists().
    lists = getattr(received, "lists", None)
    if callable(lists):
        return [(k, v) for k, values in lists() for v in values]
    if isinstance(received, Mapping):
        out = []
        for key, value in received.items():
            if isinstance(value, (list, tuple)):  # urllib.parse.parse_qs output
                out.extend((key, v) for v in value)
            else:
                out.append((key, value))
        return out
    return [(k, v) for k, v in received]


def sign_redirect(secret: str, fields: Mapping[str, Any]) -> Dict[str, str]:
    """The eleven fields plus `signature`, as linkpay sends them. For testing your handler:
    `fields` must have every name in FIELDS (use "" for no value)."""
    key = _key(secret)
    values = {name: str(fields[name]) for name in FIELDS}
    mac = hmac.new(key, canonical_string(values).encode(), hashlib.sha256).hexdigest()
    return {**values, SIGNATURE_FIELD: "v1=" + mac}


def verify_redirect(
    received: Received,
    secret: str,
    now: Optional[int] = None,
    tolerance: int = DEFAULT_TOLERANCE_SECS,
) -> RedirectResult:
    """Checks a redirect as your server received it and returns the verified fields.

    `received` is the query string or POST body (str or bytes, decoded here as a form), or
    the decoded parameters: a mapping (a dict cannot hold a repeated name, so prefer the
    raw string or a MultiDict/QueryDict), parse_qs output, or (name, value) pairs. Other
    parameters (your own query on the URL) are ignored. Raises RedirectVerificationError with
    `.code` bad_secret, missing_field, duplicate_field, bad_timestamp,
    timestamp_out_of_tolerance or no_matching_signature.
    """
    key = _key(secret)
    got: Dict[str, str] = {}
    for name, value in _pairs(received):
        if name in FIELDS or name == SIGNATURE_FIELD:
            if name in got:
                raise RedirectVerificationError(
                    "duplicate_field", f"the redirect has the {name} field more than once", field=name
                )
            got[name] = value
    for name in FIELDS + (SIGNATURE_FIELD,):
        if name not in got:
            raise RedirectVerificationError("missing_field", f"the redirect has no {name} field", field=name)
    timestamp = parse_i64(got["timestamp"])
    if timestamp is None:
        raise RedirectVerificationError("bad_timestamp", "timestamp is not a number")
    if abs(now_or(now) - timestamp) > tolerance:
        raise RedirectVerificationError("timestamp_out_of_tolerance", "timestamp is outside the tolerance")
    signed = {name: got[name] for name in FIELDS}
    expected = hmac.new(key, canonical_string(signed).encode(), hashlib.sha256).digest()
    signature = got[SIGNATURE_FIELD]
    tag = signature[3:] if signature.startswith("v1=") else None
    if tag is None or not _HEX.fullmatch(tag) or not hmac.compare_digest(expected, bytes.fromhex(tag)):
        raise RedirectVerificationError("no_matching_signature", "the signature does not match")
    # linkpay signs only these forms; anything else was signed by other code.
    amount = parse_i64(signed["amount"])
    if signed["rc"] not in ("0", "9") or amount is None:
        raise RedirectVerificationError("no_matching_signature", "the signature does not match")
    return RedirectResult(
        rc=signed["rc"],
        reference=signed["reference"],
        link_id=signed["link_id"],
        charge_id=signed["charge_id"],
        amount=amount,
        currency=signed["currency"],
        email=signed["email"],
        free1=signed["free1"],
        free2=signed["free2"],
        free3=signed["free3"],
        timestamp=timestamp,
    )
