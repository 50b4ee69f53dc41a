"""Link-signing keys: the key file `linkpay keys` manages, and the one-line ring
(`kid:base64urlkey[:live],…`) that `linkpay keys export` prints and `LINKPAY_LINK_KEYS` holds.

Every key is of one mode. A test key signs and verifies test links only, a live key live
links only, so a test key on a laptop can never make a link that takes real money. The first
key of each mode signs new links of that mode; every key verifies. Error messages name the
line or entry at fault and never contain a secret.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import stat
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, Iterator, Mapping, Optional, Tuple, Union

from . import _b64
from .errors import KeyFileError

KEY_FILE_HEADER = "linkpay-keys v1"
#: HMAC-SHA256 keys shorter than the hash add no strength.
MIN_KEY_BYTES = 32

_KID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)


def valid_kid(kid: str) -> bool:
    """Key ids as the token format allows them: 1-32 of `A-Z a-z 0-9 _ -`."""
    return _KID.fullmatch(kid) is not None


@dataclass(frozen=True)
class RingKey:
    """One active key. `secret` is left out of repr() so a ring can be logged."""

    kid: str
    secret: bytes = field(repr=False)
    live: bool = False
    #: Unix seconds, from a key file's CREATED field; None for a key from a one-line ring.
    created: Optional[int] = None

    @property
    def mode(self) -> str:
        return "live" if self.live else "test"


class KeyRing:
    """Active keys in ring order, plus the kids of retired keys (from a key file)."""

    def __init__(self, keys: Iterable[RingKey], retired: Iterable[str] = ()) -> None:
        self._keys: Tuple[RingKey, ...] = tuple(keys)
        self._retired = frozenset(retired)
        seen: Dict[str, RingKey] = {}
        for key in self._keys:
            if not valid_kid(key.kid):
                raise KeyFileError(
                    "bad_key_file", "a key id must be 1-32 characters of A-Z a-z 0-9 _ -"
                )
            if key.kid in seen or key.kid in self._retired:
                raise KeyFileError("bad_key_file", f"key id {key.kid!r} appears twice")
            if len(key.secret) < MIN_KEY_BYTES:
                raise KeyFileError(
                    "bad_key_file", f"key {key.kid!r}: key must be at least {MIN_KEY_BYTES} bytes"
                )
            seen[key.kid] = key
        if not self._keys:
            raise KeyFileError("no_keys", "the key ring has no key that can sign")
        self._by_kid = seen

    @property
    def keys(self) -> Tuple[RingKey, ...]:
        return self._keys

    @property
    def retired(self) -> FrozenSet[str]:
        """Kids whose secrets were removed (`linkpay keys retire`)."""
        return self._retired

    def current(self, live: bool = False) -> Optional[RingKey]:
        """The key that signs new links of this mode, if the ring has one."""
        return next((k for k in self._keys if k.live == live), None)

    def get(self, kid: str) -> Optional[RingKey]:
        return self._by_kid.get(kid)

    def export(self) -> str:
        """The one-line ring, as `linkpay keys export` prints it. This is secret."""
        return ",".join(
            f"{k.kid}:{_b64.urlsafe_encode(k.secret)}{':live' if k.live else ''}"
            for k in self._keys
        )

    def __iter__(self) -> Iterator[RingKey]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        keys = ", ".join(f"{k.kid} ({k.mode})" for k in self._keys)
        return f"KeyRing([{keys}])"


def _secret(text: str) -> Optional[bytes]:
    data = _b64.urlsafe_decode(text.strip())
    return data if data is not None and len(data) >= MIN_KEY_BYTES else None


def _rfc3339(text: str) -> Optional[int]:
    m = _RFC3339.fullmatch(text)
    if m is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    try:
        if m.group(8):
            tz = _dt.timezone.utc
        else:
            sign = 1 if m.group(9) == "+" else -1
            tz = _dt.timezone(sign * _dt.timedelta(hours=int(m.group(10)), minutes=int(m.group(11))))
        when = _dt.datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None
    return int(when.timestamp())


def _lines(text: str) -> Iterator[Tuple[int, str]]:
    # Lines end at "\n" (an "\r" before it is dropped), not at the other characters
    # str.splitlines() knows, so line numbers match the Rust parser's.
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    for number, raw in enumerate(parts, start=1):
        yield number, raw[:-1] if raw.endswith("\r") else raw


def parse_key_file(text: str) -> KeyRing:
    """Parses a key file's text (format: docs/cli.md, "The key file").

    Raises KeyFileError naming the line at fault; no message contains a field that could be
    a secret.
    """
    keys = []
    retired = []
    seen_header = False
    for line, raw in _lines(text):
        content = raw.strip()
        if not content or content.startswith("#"):
            continue

        def bad(problem: str) -> KeyFileError:
            return KeyFileError("bad_key_file", f"line {line}: {problem}", line=line)

        if not seen_header:
            if content != KEY_FILE_HEADER:
                raise bad(f"expected {KEY_FILE_HEADER!r} before any key; is this a linkpay key file?")
            seen_header = True
            continue
        fields = content.split()
        if len(fields) == 4:
            kind, kid, created_text, last = fields
            live = False
        elif len(fields) == 5 and fields[0] == "key" and fields[4] == "live":
            kind, kid, created_text, last = fields[:4]
            live = True
        else:
            raise bad(
                "expected `key KID CREATED SECRET`, `key KID CREATED SECRET live` or "
                "`retired KID CREATED RETIRED`"
            )
        if not valid_kid(kid):
            # The text in the kid's place is not echoed: on a garbled line it may be a secret.
            raise bad("the key id must be 1-32 characters of A-Z a-z 0-9 _ -")
        if any(k.kid == kid for k in keys) or kid in retired:
            raise bad(f"key id {kid!r} appears twice")
        created = _rfc3339(created_text)
        if created is None:
            raise bad(f"key {kid!r}: the created time is not RFC 3339")
        if kind == "key":
            secret = _secret(last)
            if secret is None:
                raise bad(
                    f"key {kid!r}: the secret must be base64url without padding, "
                    f"at least {MIN_KEY_BYTES} bytes"
                )
            if retired:
                raise bad("`key` lines must come before `retired` lines")
            keys.append(RingKey(kid=kid, secret=secret, live=live, created=created))
        elif kind == "retired":
            if _rfc3339(last) is None:
                raise bad(f"key {kid!r}: the retired time is not RFC 3339")
            retired.append(kid)
        else:
            raise bad("each line must start with `key` or `retired`")
    if not seen_header:
        raise KeyFileError(
            "bad_key_file", f"line 1: empty; a key file starts with {KEY_FILE_HEADER!r}", line=1
        )
    if not keys:
        raise KeyFileError("no_keys", "the key file has no key that can sign (every key is retired)")
    return KeyRing(keys, retired)


def read_key_file(path: Union[str, "os.PathLike[str]"], check_permissions: bool = True) -> KeyRing:
    """Reads and parses a key file. Like `linkpay`, refuses (on Unix) a file that its group
    or other users can read or write, since it holds secret keys."""
    with open(path, "rb") as f:
        if check_permissions and os.name == "posix":
            mode = stat.S_IMODE(os.fstat(f.fileno()).st_mode)
            if mode & 0o077:
                raise KeyFileError(
                    "insecure_key_file",
                    f"{os.fspath(path)}: can be read or written by other users (mode {mode:04o}); "
                    "it holds secret keys, so run `chmod 600` on it",
                )
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyFileError("bad_key_file", f"{os.fspath(path)}: is not UTF-8 text") from None
    try:
        return parse_key_file(text)
    except KeyFileError as e:
        raise KeyFileError(e.code, f"{os.fspath(path)}: {e.message}", line=e.line) from None


def parse_key_ring(spec: str) -> KeyRing:
    """Parses the one-line ring `kid:base64urlkey[:live][,…]` (`LINKPAY_LINK_KEYS`, the
    worker's `LINK_KEYS`, `linkpay keys export`). An entry ending in `:live` is a live key;
    any other (or `:test`) a test key."""
    keys = []
    entries = [e.strip() for e in spec.split(",")]
    for number, entry in enumerate((e for e in entries if e), start=1):
        parts = entry.split(":")
        kid = parts[0]
        # Name an entry by its kid only when that is a well-formed kid, never by other text.
        name = f"key {kid!r}" if valid_kid(kid) else f"entry {number}"
        if len(parts) < 2:
            raise KeyFileError(
                "bad_key_file",
                f"{name}: each key must be written kid:base64urlkey (or kid:base64urlkey:live)",
            )
        if len(parts) > 3:
            raise KeyFileError("bad_key_file", f"{name}: expected kid:base64urlkey[:live]")
        mode = parts[2] if len(parts) == 3 else "test"
        if mode not in ("test", "live"):
            raise KeyFileError("bad_key_file", f"{name}: the mode after the key must be live or test")
        secret = _secret(parts[1])
        if secret is None:
            raise KeyFileError(
                "bad_key_file",
                f"{name}: the key must be base64url without padding, at least {MIN_KEY_BYTES} bytes",
            )
        if not valid_kid(kid):
            raise KeyFileError(
                "bad_key_file", f"{name}: the key id must be 1-32 characters of A-Z a-z 0-9 _ -"
            )
        keys.append(RingKey(kid=kid, secret=secret, live=mode == "live"))
    if not keys:
        raise KeyFileError("no_keys", "no keys given")
    return KeyRing(keys)


def keys_from_env(environ: Optional[Mapping[str, str]] = None) -> KeyRing:
    """The ring as the origin finds it: `LINKPAY_LINK_KEYS_FILE` (a key file) or
    `LINKPAY_LINK_KEYS` (the one-line ring), one of them."""
    env = os.environ if environ is None else environ
    path = env.get("LINKPAY_LINK_KEYS_FILE", "")
    ring = env.get("LINKPAY_LINK_KEYS", "")
    if path and ring:
        raise KeyFileError(
            "bad_key_file", "LINKPAY_LINK_KEYS_FILE is set together with LINKPAY_LINK_KEYS; set only one"
        )
    if path:
        return read_key_file(path)
    if ring:
        return parse_key_ring(ring)
    raise KeyFileError("no_keys", "set LINKPAY_LINK_KEYS_FILE (a key file) or LINKPAY_LINK_KEYS")
