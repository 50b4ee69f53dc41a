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
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from . import _b64
from .errors import LinkTokenError
from .keyfile import KeyRing, RingKey, valid_kid

#: The token format this module reads and writes.
VERSION = 1
#: Domain separation: a link MAC can never pass as any other linkpay signature.
DOMAIN = b"linkpay/link/v1\x00"
#: Longest token accepted, in bytes of its text form; checked before any decoding.
MAX_TOKEN_LEN = 3072

MAX_TITLE_CHARS = 100
MAX_DESCRIPTION_CHARS = 300
MAX_REFERENCE_CHARS = 64
MAX_MERCHANT_NAME_CHARS = 80
MAX_FREE_CHARS = 100
MAX_USE_LIMIT = 1_000_000
MAX_METADATA_PAIRS = 20
MAX_METADATA_KEY_CHARS = 40
MAX_METADATA_VALUE_CHARS = 500

#: What `linkpay link sign` defaults to, and the longest a link may live (so that a key
#: can be retired a year after rotation).
DEFAULT_TTL_SECS = 30 * 86_400
MAX_TTL_SECS = 365 * 86_400
DEFAULT_EDGE_URL = "http://127.0.0.1:8787"

#: Supported currencies and the largest amount a link may carry, in minor units.
CURRENCY_MAXIMUM: Mapping[str, int] = {
    "JPY": 99_999_999,
    "USD": 99_999_999,
    "EUR": 99_999_999,
    "GBP": 99_999_999,
    "THB": 999_999_999,
    "SGD": 99_999_999,
    "MYR": 99_999_999,
    "KRW": 999_999_999,
}

_I64_MAX = 2**63 - 1

# Claim tags.
_LINK_ID, _MERCHANT_ID, _MERCHANT_NAME, _CURRENCY, _AMOUNT, _EXPIRES_AT = 1, 2, 3, 4, 5, 6
_USAGE, _TITLE, _DESCRIPTION, _REFERENCE, _LOCALE, _AMOUNT_MIN = 7, 8, 9, 10, 11, 12
_AMOUNT_MAX, _USE_LIMIT, _FREE1, _FREE2, _FREE3, _METADATA, _LIVEMODE = 13, 14, 15, 16, 17, 18, 19
_TAG_END = 20  # one past the highest tag this version understands

_ID = re.compile(r"[A-Za-z0-9_]{1,64}")
_METADATA_KEY = re.compile(r"[A-Za-z0-9_.-]{1,40}")
_USAGE_BYTE = {"single": 0, "multi": 1}
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

Usage = Union[str, int]


@dataclass(frozen=True)
class LinkClaims:
    """What a link promises. Amounts are integer minor units (1500 is ¥1,500 or $15.00).

    Give `amount` for a fixed price, or `amount_min` and `amount_max` (inclusive) for an
    amount the buyer chooses. `usage` is "single", "multi", or an int N (2..1,000,000): at
    most N payments. Optional text is None when absent (an empty string is an error).
    `metadata` keys are sorted when signed. A live link (`livemode`) takes real money and
    is signed only by a live key.
    """

    link_id: str
    merchant_id: str
    currency: str
    expires_at: int
    title: str
    amount: Optional[int] = None
    amount_min: Optional[int] = None
    amount_max: Optional[int] = None
    usage: Usage = "single"
    locale: str = "en"
    merchant_name: Optional[str] = None
    description: Optional[str] = None
    reference: Optional[str] = None
    free1: Optional[str] = None
    free2: Optional[str] = None
    free3: Optional[str] = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    livemode: bool = False

    @property
    def use_limit(self) -> Optional[int]:
        """How many completed payments the link may take; None is unlimited."""
        if self.usage == "single":
            return 1
        if self.usage == "multi":
            return None
        return int(self.usage)

    @property
    def buyer_chooses_amount(self) -> bool:
        return self.amount is None

    def to_dict(self) -> Dict[str, Any]:
        """The claims in the JSON shape of `shared/testdata/link-token-vectors.json`."""
        out: Dict[str, Any] = {
            "link_id": self.link_id,
            "merchant_id": self.merchant_id,
            "merchant_name": self.merchant_name or "",
        }
        if self.amount is not None:
            out["amount"] = self.amount
        else:
            out["amount_min"] = self.amount_min
            out["amount_max"] = self.amount_max
        usage: Any = {"limited": self.usage}
        if self.usage == "single":
            usage = "single_use"
        elif self.usage == "multi":
            usage = "multi_use"
        out.update(
            currency=self.currency,
            expires_at=self.expires_at,
            usage=usage,
            title=self.title,
            description=self.description,
            reference=self.reference,
            locale=self.locale,
        )
        for name in ("free1", "free2", "free3"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.metadata:
            out["metadata"] = dict(self.metadata)
        if self.livemode:
            out["livemode"] = True
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "LinkClaims":
        """Reads the JSON shape `to_dict` writes. An unknown key is an error, so a claim
        added to the format is not silently dropped."""
        known = {
            "link_id", "merchant_id", "merchant_name", "amount", "amount_min", "amount_max",
            "currency", "expires_at", "usage", "title", "description", "reference", "locale",
            "free1", "free2", "free3", "metadata", "livemode",
        }
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown claim(s): {', '.join(sorted(unknown))}")
        raw_usage = data.get("usage", "single_use")
        usage: Usage
        if raw_usage == "single_use":
            usage = "single"
        elif raw_usage == "multi_use":
            usage = "multi"
        elif isinstance(raw_usage, Mapping) and set(raw_usage) == {"limited"}:
            usage = raw_usage["limited"]
        else:
            raise ValueError(f"usage {raw_usage!r} is not single_use, multi_use or {{limited: N}}")
        return cls(
            link_id=data["link_id"],
            merchant_id=data["merchant_id"],
            merchant_name=data.get("merchant_name") or None,
            amount=data.get("amount"),
            amount_min=data.get("amount_min"),
            amount_max=data.get("amount_max"),
            currency=data["currency"],
            expires_at=data["expires_at"],
            usage=usage,
            title=data["title"],
            description=data.get("description"),
            reference=data.get("reference"),
            locale=data["locale"],
            free1=data.get("free1"),
            free2=data.get("free2"),
            free3=data.get("free3"),
            metadata=dict(data.get("metadata") or {}),
            livemode=bool(data.get("livemode", False)),
        )


# --- validation -------------------------------------------------------------------------


def _bad(field_name: str, why: str = "") -> LinkTokenError:
    return LinkTokenError(
        "bad_claims", f"token claims are malformed: {field_name}{': ' + why if why else ''}",
        field=field_name,
    )


def _malformed(why: str) -> LinkTokenError:
    return LinkTokenError("bad_claims", f"token claims are malformed: {why}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _has_control(s: str) -> bool:
    # Unicode category Cc, as Rust's char::is_control.
    return any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in s)


def _utf8(s: str) -> Optional[bytes]:
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return None


def _check_text(value: object, max_chars: int, name: str) -> None:
    """Text claims: not blank, at most `max_chars` characters, no control characters."""
    if (
        not isinstance(value, str)
        or _utf8(value) is None
        or not value.strip()
        or len(value) > max_chars
        or _has_control(value)
    ):
        raise _bad(name, f"must be 1-{max_chars} characters, not blank, with no control characters")


def _metadata_pairs(metadata: object) -> List[Tuple[str, str]]:
    if isinstance(metadata, Mapping):
        pairs = list(metadata.items())
    else:
        try:
            pairs = [tuple(p) for p in metadata]  # type: ignore[union-attr]
        except TypeError:
            raise _bad("metadata", "must be a mapping of keys to values") from None
    if len(pairs) > MAX_METADATA_PAIRS:
        raise _bad("metadata", f"{len(pairs)} keys; the maximum is {MAX_METADATA_PAIRS}")
    seen = set()
    for pair in pairs:
        if len(pair) != 2:
            raise _bad("metadata", "pairs must be (key, value)")
        key, value = pair
        if not isinstance(key, str) or not _METADATA_KEY.fullmatch(key):
            raise _bad("metadata", f"keys must be 1-{MAX_METADATA_KEY_CHARS} of A-Z a-z 0-9 _ - .")
        if (
            not isinstance(value, str)
            or _utf8(value) is None
            or not 1 <= len(value) <= MAX_METADATA_VALUE_CHARS
            or _has_control(value)
        ):
            raise _bad(
                "metadata",
                f"the value for {key!r} must be 1-{MAX_METADATA_VALUE_CHARS} characters "
                "with no control characters",
            )
        if key in seen:
            raise _bad("metadata", f"key {key!r} appears twice")
        seen.add(key)
    return pairs  # type: ignore[return-value]


def _currency(code: object) -> str:
    if isinstance(code, str) and code.upper() in CURRENCY_MAXIMUM:
        return code.upper()
    raise LinkTokenError(
        "unsupported_currency",
        f"currency {code!r} is not supported ({', '.join(CURRENCY_MAXIMUM)})",
    )


def _out_of_range(what: str) -> LinkTokenError:
    return LinkTokenError("amount_out_of_range", f"token amount is out of range: {what}")


def _validate(c: LinkClaims) -> Tuple[str, List[Tuple[str, str]]]:
    """The rules every signed link obeys, in the order the Rust encoder checks them, so the
    same bad claims give the same error. Returns the currency code and the metadata pairs
    sorted by key."""
    currency = _currency(c.currency)
    maximum = CURRENCY_MAXIMUM[currency]
    fixed = c.amount is not None
    if fixed and c.amount_min is None and c.amount_max is None:
        if not _is_int(c.amount):
            raise _bad("amount", "must be an int of minor units")
        if not 1 <= c.amount <= maximum:  # type: ignore[operator]
            raise _out_of_range(f"{c.amount} is not in 1..={maximum} for {currency}")
    elif not fixed and c.amount_min is not None and c.amount_max is not None:
        if not (_is_int(c.amount_min) and _is_int(c.amount_max)):
            raise _bad("amount", "amount_min and amount_max must be ints of minor units")
    else:
        raise _bad("amount", "give amount, or amount_min and amount_max")

    for value, name in ((c.link_id, "link_id"), (c.merchant_id, "merchant_id")):
        if not isinstance(value, str) or not _ID.fullmatch(value):
            raise _bad(name, "must be 1-64 characters of A-Z a-z 0-9 _")
    if c.merchant_name is not None:
        _check_text(c.merchant_name, MAX_MERCHANT_NAME_CHARS, "merchant_name")
    if not fixed and not 1 <= c.amount_min <= c.amount_max <= maximum:  # type: ignore[operator]
        raise _out_of_range(
            f"need 1 <= amount_min <= amount_max <= {maximum} for {currency}, "
            f"got {c.amount_min}..{c.amount_max}"
        )
    if c.usage not in ("single", "multi") and not (
        _is_int(c.usage) and 2 <= c.usage <= MAX_USE_LIMIT  # type: ignore[operator]
    ):
        raise _bad("usage", f"must be 'single', 'multi' or an int from 2 to {MAX_USE_LIMIT}")
    _check_text(c.title, MAX_TITLE_CHARS, "title")
    for value, limit, name in (
        (c.description, MAX_DESCRIPTION_CHARS, "description"),
        (c.reference, MAX_REFERENCE_CHARS, "reference"),
        (c.free1, MAX_FREE_CHARS, "free1"),
        (c.free2, MAX_FREE_CHARS, "free2"),
        (c.free3, MAX_FREE_CHARS, "free3"),
    ):
        if value is not None:
            _check_text(value, limit, name)
    # Sorted, like `linkpay link sign` does, so one claim set has one encoding. Keys are
    # ASCII, so str order is byte order.
    metadata = sorted(_metadata_pairs(c.metadata))
    if not (_is_int(c.expires_at) and 0 < c.expires_at <= _I64_MAX):
        raise _bad("expires_at", "must be unix seconds (an int above 0)")
    if c.locale not in ("en", "ja"):
        raise _bad("locale", "must be 'en' or 'ja'")
    if not isinstance(c.livemode, bool):
        raise _bad("livemode", "must be a bool")
    return currency, metadata


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
