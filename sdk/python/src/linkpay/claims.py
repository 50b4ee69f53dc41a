"""Link claims: what a payment link promises, and the rules every signed link obeys
(docs/token-format.md). The checks follow the Rust encoder's order, so the same bad claims
give the same error code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

from .errors import LinkTokenError

MAX_TITLE_CHARS = 100
MAX_DESCRIPTION_CHARS = 300
MAX_REFERENCE_CHARS = 64
MAX_MERCHANT_NAME_CHARS = 80
MAX_FREE_CHARS = 100
MAX_USE_LIMIT = 1_000_000
MAX_METADATA_PAIRS = 20
MAX_METADATA_KEY_CHARS = 40
MAX_METADATA_VALUE_CHARS = 500

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

_ID = re.compile(r"[A-Za-z0-9_]{1,64}")
_METADATA_KEY = re.compile(r"[A-Za-z0-9_.-]{1,40}")

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
