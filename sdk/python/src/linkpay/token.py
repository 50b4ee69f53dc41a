"""Link tokens (format version 1, docs/token-format.md): minting offline and verifying.

    token = base64url(payload) "." base64url(HMAC-SHA256(key[kid], DOMAIN || payload))
    payload = version:u8 | kid_len:u8 | kid | claims as tag:u8 len:u16 value, tags ascending

The encoding is canonical, one byte string per claim set, so minting here gives byte for
byte the token `linkpay link sign` and the origin make from the same claims and key.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
import re
import secrets
import struct
import time
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Tuple, Union

from . import _b64
from .claims import (
    CURRENCY_MAXIMUM,
    LinkClaims,
    Usage,
    _bad,
    _currency,
    _is_int,
    _malformed,
    _validate,
)
from .errors import LinkTokenError
from .keyfile import KeyRing, RingKey, valid_kid

#: The token format this module reads and writes.
VERSION = 1
#: Domain separation: a link MAC can never pass as any other linkpay signature.
DOMAIN = b"linkpay/link/v1\x00"
#: Longest token accepted, in bytes of its text form; checked before any decoding.
MAX_TOKEN_LEN = 3072

#: What `linkpay link sign` defaults to, and the longest a link may live (so that a key
#: can be retired a year after rotation).
DEFAULT_TTL_SECS = 30 * 86_400
MAX_TTL_SECS = 365 * 86_400
DEFAULT_EDGE_URL = "http://127.0.0.1:8787"

# Claim tags.
_LINK_ID, _MERCHANT_ID, _MERCHANT_NAME, _CURRENCY, _AMOUNT, _EXPIRES_AT = 1, 2, 3, 4, 5, 6
_USAGE, _TITLE, _DESCRIPTION, _REFERENCE, _LOCALE, _AMOUNT_MIN = 7, 8, 9, 10, 11, 12
_AMOUNT_MAX, _USE_LIMIT, _FREE1, _FREE2, _FREE3, _METADATA, _LIVEMODE = 13, 14, 15, 16, 17, 18, 19
_TAG_END = 20  # one past the highest tag this version understands

_USAGE_BYTE = {"single": 0, "multi": 1}
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


# --- encoding ---------------------------------------------------------------------------


def _encode_payload(kid: str, c: LinkClaims, currency: str, metadata: List[Tuple[str, str]]) -> bytes:
    out = bytearray([VERSION, len(kid)])
    out += kid.encode("ascii")

    def put(tag: int, value: bytes) -> None:
        out.append(tag)
        out.extend(struct.pack(">H", len(value)))
        out.extend(value)

    def i64(n: int) -> bytes:
        return struct.pack(">q", n)

    put(_LINK_ID, c.link_id.encode())
    put(_MERCHANT_ID, c.merchant_id.encode())
    if c.merchant_name is not None:
        put(_MERCHANT_NAME, c.merchant_name.encode())
    put(_CURRENCY, currency.encode())
    if c.amount is not None:
        put(_AMOUNT, i64(c.amount))
    put(_EXPIRES_AT, i64(c.expires_at))
    put(_USAGE, bytes([_USAGE_BYTE.get(c.usage, 2)]))  # type: ignore[arg-type]
    put(_TITLE, c.title.encode())
    if c.description is not None:
        put(_DESCRIPTION, c.description.encode())
    if c.reference is not None:
        put(_REFERENCE, c.reference.encode())
    put(_LOCALE, c.locale.encode())
    if c.amount is None:
        put(_AMOUNT_MIN, i64(c.amount_min))  # type: ignore[arg-type]
        put(_AMOUNT_MAX, i64(c.amount_max))  # type: ignore[arg-type]
    if not isinstance(c.usage, str):
        put(_USE_LIMIT, struct.pack(">I", c.usage))
    for tag, value in ((_FREE1, c.free1), (_FREE2, c.free2), (_FREE3, c.free3)):
        if value is not None:
            put(tag, value.encode())
    if metadata:
        encoded = bytearray()
        for key, value in metadata:
            raw = value.encode()
            encoded += bytes([len(key)]) + key.encode() + struct.pack(">H", len(raw)) + raw
        put(_METADATA, bytes(encoded))
    if c.livemode:
        put(_LIVEMODE, b"\x01")
    return bytes(out)


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, DOMAIN + payload, hashlib.sha256).digest()


def _signing_key(keys: KeyRing, live: bool, kid: Optional[str]) -> RingKey:
    mode = "live" if live else "test"
    if kid is None:
        key = keys.current(live)
        if key is None:
            raise LinkTokenError("no_signing_key", f"the key ring has no {mode} key to sign with")
        return key
    key = keys.get(kid)
    if key is None:
        why = "is retired (its secret was removed)" if kid in keys.retired else "is not in the key ring"
        raise LinkTokenError("unknown_key", f"key {kid!r} {why}, so it cannot sign")
    if key.live != live:
        raise LinkTokenError(
            "mode_mismatch", f"key {kid!r} is a {key.mode} key, and a {mode} link must be signed with a {mode} key"
        )
    return key


def mint_link_token(claims: LinkClaims, keys: KeyRing, kid: Optional[str] = None) -> str:
    """Signs `claims` offline with the ring's current key of the link's mode (test, or live
    when `claims.livemode`), or with key `kid`, which must be of that mode.

    Checks the claims as the Rust encoder does and raises LinkTokenError (bad_claims,
    unsupported_currency, amount_out_of_range, too_long, no_signing_key, unknown_key,
    mode_mismatch) when they cannot be signed.
    """
    currency, metadata = _validate(claims)
    key = _signing_key(keys, claims.livemode, kid)
    payload = _encode_payload(key.kid, claims, currency, metadata)
    token = f"{_b64.urlsafe_encode(payload)}.{_b64.urlsafe_encode(_mac(key.secret, payload))}"
    if len(token) > MAX_TOKEN_LEN:
        raise LinkTokenError(
            "too_long",
            f"the link token would be longer than {MAX_TOKEN_LEN} bytes; shorten the title, "
            "description, free fields or metadata",
        )
    return token


def link_url(edge_url: str, token: str) -> str:
    """`EDGE_URL/l/TOKEN`. The base URL is checked and trimmed as `linkpay link sign` does."""
    base = edge_url.strip().rstrip("/")
    if (
        not base.startswith(("http://", "https://"))
        or any(ch in base for ch in "?# ")
        or len(base) <= len("https://")
    ):
        raise ValueError(f"{edge_url!r} must be an http(s) base URL such as https://pay.example.com")
    return f"{base}/l/{token}"


def new_link_id() -> str:
    """A random link id as `linkpay link sign` makes one: `lnk_` and 20 base62 characters."""
    return "lnk_" + "".join(secrets.choice(_BASE62) for _ in range(20))


@dataclass(frozen=True)
class MintedLink:
    """A link made by `mint_link`: keep `link_id` with your order to match webhooks."""

    url: str
    token: str
    claims: LinkClaims

    @property
    def link_id(self) -> str:
        return self.claims.link_id


_SPAN = re.compile(r"([0-9]+)([smhd])")
_SPAN_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


def _ttl(expires_in: Union[int, str, _dt.timedelta]) -> int:
    if isinstance(expires_in, _dt.timedelta):
        secs = expires_in.total_seconds()
        if secs != int(secs):
            raise _bad("expires_at", "expires_in must be whole seconds")
        secs = int(secs)
    elif isinstance(expires_in, str):
        m = _SPAN.fullmatch(expires_in.strip())
        if m is None:
            raise _bad("expires_at", f"expires_in {expires_in!r} is not a span like 30m, 12h or 7d")
        secs = int(m.group(1)) * _SPAN_UNIT[m.group(2)]
    elif _is_int(expires_in):
        secs = expires_in
    else:
        raise _bad("expires_at", "expires_in must be seconds, a timedelta or a span like 7d")
    if secs <= 0:
        raise _bad("expires_at", "expires_in must be positive")
    if secs > MAX_TTL_SECS:
        raise _bad("expires_at", "links live at most 365 days")
    return secs


def mint_link(
    keys: KeyRing,
    edge_url: str,
    *,
    merchant_id: str,
    title: str,
    currency: str,
    amount: Optional[int] = None,
    amount_min: Optional[int] = None,
    amount_max: Optional[int] = None,
    usage: Usage = "single",
    expires_in: Optional[Union[int, str, _dt.timedelta]] = None,
    expires_at: Optional[int] = None,
    locale: str = "en",
    link_id: Optional[str] = None,
    merchant_name: Optional[str] = None,
    description: Optional[str] = None,
    reference: Optional[str] = None,
    free1: Optional[str] = None,
    free2: Optional[str] = None,
    free3: Optional[str] = None,
    metadata: Optional[Mapping[str, str]] = None,
    live: bool = False,
    kid: Optional[str] = None,
    now: Optional[int] = None,
) -> MintedLink:
    """A payment link with the defaults of `linkpay link sign`: a random `lnk_…` id, expiry
    30 days from now (`expires_in` seconds / "7d" / timedelta, at most 365 days, or an
    absolute `expires_at`), locale "en", single use. Give `amount` for a fixed price, or
    `amount_min` and/or `amount_max` for a buyer-chosen amount (defaults: 1 and the
    currency's maximum). Amounts are minor units.
    """
    now = int(time.time()) if now is None else now
    code = _currency(currency.strip() if isinstance(currency, str) else currency)
    if amount is not None and (amount_min is not None or amount_max is not None):
        raise _bad("amount", "amount cannot be used with amount_min or amount_max")
    if amount is None:
        if amount_min is None and amount_max is None:
            raise _bad("amount", "give amount for a fixed price, or amount_min and/or amount_max")
        if amount_min is None:
            amount_min = 1
        if amount_max is None:
            amount_max = CURRENCY_MAXIMUM[code]
    if expires_at is not None:
        if expires_in is not None:
            raise _bad("expires_at", "give expires_in or expires_at, not both")
        if not _is_int(expires_at) or expires_at <= now:
            raise _bad("expires_at", f"{expires_at} is not a time in the future")
        if expires_at - now > MAX_TTL_SECS:
            raise _bad("expires_at", "links live at most 365 days")
    else:
        expires_at = now + (DEFAULT_TTL_SECS if expires_in is None else _ttl(expires_in))
    claims = LinkClaims(
        link_id=new_link_id() if link_id is None else link_id,
        merchant_id=merchant_id,
        merchant_name=merchant_name,
        currency=code,
        amount=amount,
        amount_min=amount_min,
        amount_max=amount_max,
        expires_at=expires_at,
        usage=usage.strip() if isinstance(usage, str) else usage,
        title=title,
        description=description,
        reference=reference,
        locale=locale.strip().lower() if isinstance(locale, str) else locale,
        free1=free1,
        free2=free2,
        free3=free3,
        metadata=dict(sorted((metadata or {}).items())),
        livemode=live,
    )
    token = mint_link_token(claims, keys, kid=kid)
    return MintedLink(url=link_url(edge_url, token), token=token, claims=claims)


# --- verification -----------------------------------------------------------------------


def _decode_metadata(data: bytes) -> Dict[str, str]:
    pairs: List[Tuple[str, str]] = []
    i = 0
    try:
        while i < len(data):
            klen = data[i]
            key = data[i + 1 : i + 1 + klen]
            i += 1 + klen
            if len(key) != klen or i + 2 > len(data):
                raise _bad("metadata")
            (vlen,) = struct.unpack_from(">H", data, i)
            value = data[i + 2 : i + 2 + vlen]
            if len(value) != vlen:
                raise _bad("metadata")
            i += 2 + vlen
            pairs.append((key.decode("utf-8"), value.decode("utf-8")))
    except UnicodeDecodeError:
        raise _bad("metadata") from None
    if not pairs:
        raise _bad("metadata")
    # Keys strictly ascending is the one canonical form (no duplicates, no other order).
    if any(a[0] >= b[0] for a, b in zip(pairs, pairs[1:])):
        raise _bad("metadata", "keys are not in strictly ascending order")
    return dict(pairs)


def _decode_claims(data: bytes) -> LinkClaims:
    fields: List[Optional[bytes]] = [None] * _TAG_END
    last = 0
    i = 0
    while i < len(data):
        if len(data) - i < 3:
            raise _malformed("truncated claim")
        tag = data[i]
        (length,) = struct.unpack_from(">H", data, i + 1)
        if tag <= last:
            raise _malformed("claims out of order")
        if tag >= _TAG_END:
            raise _malformed("unknown claim")
        value = data[i + 3 : i + 3 + length]
        if len(value) != length:
            raise _malformed("truncated claim")
        fields[tag] = value
        last = tag
        i += 3 + length

    def text(tag: int, name: str) -> Optional[str]:
        raw = fields[tag]
        if raw is None:
            return None
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _bad(name) from None

    def required(tag: int, name: str) -> str:
        value = text(tag, name)
        if value is None:
            raise _bad(name, "missing")
        return value

    def integer(tag: int, name: str) -> Optional[int]:
        raw = fields[tag]
        if raw is None:
            return None
        if len(raw) != 8:
            raise _bad(name)
        return struct.unpack(">q", raw)[0]

    # Only the exact upper-case code is canonical.
    currency = required(_CURRENCY, "currency")
    if currency not in CURRENCY_MAXIMUM:
        raise LinkTokenError("unsupported_currency", "token currency is not supported")
    amount, amount_min, amount_max = (
        integer(_AMOUNT, "amount"),
        integer(_AMOUNT_MIN, "amount_min"),
        integer(_AMOUNT_MAX, "amount_max"),
    )
    if amount is not None and amount_min is None and amount_max is None:
        if not 1 <= amount <= CURRENCY_MAXIMUM[currency]:
            raise LinkTokenError("amount_out_of_range", "token amount is out of range")
    elif not (amount is None and amount_min is not None and amount_max is not None):
        raise _bad("amount")
    usage_raw, limit_raw = fields[_USAGE], fields[_USE_LIMIT]
    usage: Usage
    if usage_raw == b"\x00" and limit_raw is None:
        usage = "single"
    elif usage_raw == b"\x01" and limit_raw is None:
        usage = "multi"
    elif usage_raw == b"\x02" and limit_raw is not None and len(limit_raw) == 4:
        usage = struct.unpack(">I", limit_raw)[0]
    else:
        raise _bad("usage")
    locale_raw = fields[_LOCALE]
    if locale_raw not in (b"ja", b"en"):
        raise _bad("locale")
    merchant_name = text(_MERCHANT_NAME, "merchant_name")
    if merchant_name == "":
        raise _bad("merchant_name")
    metadata_raw = fields[_METADATA]
    metadata = _decode_metadata(metadata_raw) if metadata_raw is not None else {}
    # Test links leave the claim out, so only the one byte 1 is canonical.
    livemode_raw = fields[_LIVEMODE]
    if livemode_raw is not None and livemode_raw != b"\x01":
        raise _bad("livemode")
    link_id = required(_LINK_ID, "link_id")
    merchant_id = required(_MERCHANT_ID, "merchant_id")
    expires_at = integer(_EXPIRES_AT, "expires_at")
    if expires_at is None:
        raise _bad("expires_at", "missing")
    claims = LinkClaims(
        link_id=link_id,
        merchant_id=merchant_id,
        merchant_name=merchant_name,
        currency=currency,
        amount=amount,
        amount_min=amount_min,
        amount_max=amount_max,
        expires_at=expires_at,
        usage=usage,
        title=required(_TITLE, "title"),
        description=text(_DESCRIPTION, "description"),
        reference=text(_REFERENCE, "reference"),
        locale=locale_raw.decode(),  # type: ignore[union-attr]
        free1=text(_FREE1, "free1"),
        free2=text(_FREE2, "free2"),
        free3=text(_FREE3, "free3"),
        metadata=metadata,
        livemode=livemode_raw is not None,
    )
    # Empty optional claims are encoded by omission, so an empty value is not canonical.
    for value in (claims.description, claims.reference, claims.free1, claims.free2, claims.free3):
        if value == "":
            raise _malformed("empty optional claim")
    _validate(claims)
    return claims


def verify_link_token(token: Union[str, bytes], keys: KeyRing, now: Optional[int] = None) -> LinkClaims:
    """Verifies a token as presented and returns its claims if it is genuine, well formed,
    signed by a key of the link's mode and not expired at `now` (unix seconds; default the
    clock). Raises LinkTokenError whose `.code` names what is wrong, in the order of
    docs/token-format.md: too_long, bad_encoding, unsupported_version, unknown_key,
    bad_signature, bad_claims / unsupported_currency / amount_out_of_range, mode_mismatch,
    expired. Nothing past the version and key id is read before the MAC is checked."""
    raw = token.encode("utf-8") if isinstance(token, str) else bytes(token)
    if len(raw) > MAX_TOKEN_LEN:
        raise LinkTokenError("too_long", f"token is longer than {MAX_TOKEN_LEN} bytes")
    bad_encoding = LinkTokenError("bad_encoding", "token is not two base64url parts")
    payload_text, dot, mac_text = raw.partition(b".")
    if not dot:
        raise bad_encoding
    try:
        payload = _b64.urlsafe_decode(payload_text.decode("ascii"))
        mac = _b64.urlsafe_decode(mac_text.decode("ascii"))
    except UnicodeDecodeError:
        raise bad_encoding from None
    if not payload or mac is None or len(mac) != 32:
        raise bad_encoding
    if payload[0] != VERSION:
        raise LinkTokenError("unsupported_version", f"token version {payload[0]} is not supported")
    if len(payload) < 2:
        raise bad_encoding
    kid_len = payload[1]
    kid_bytes = payload[2 : 2 + kid_len]
    try:
        kid = kid_bytes.decode("ascii")
    except UnicodeDecodeError:
        raise bad_encoding from None
    if len(kid_bytes) != kid_len or not valid_kid(kid):
        raise bad_encoding
    key = keys.get(kid)
    if key is None:
        raise LinkTokenError("unknown_key", "token was signed with an unknown key")
    if not hmac.compare_digest(_mac(key.secret, payload), mac):
        raise LinkTokenError("bad_signature", "token signature does not match")
    claims = _decode_claims(payload[2 + kid_len :])
    if claims.livemode != key.live:
        link_mode = "live" if claims.livemode else "test"
        raise LinkTokenError("mode_mismatch", f"token is a {link_mode} link but its key signs {key.mode} links")
    now = int(time.time()) if now is None else now
    if now >= claims.expires_at:
        raise LinkTokenError("expired", "link has expired")
    return claims
