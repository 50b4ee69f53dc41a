"""Unix-seconds parsing shared by the webhook and redirect verifiers."""

from __future__ import annotations

import re
import time
from typing import Optional

_INT = re.compile(r"[+-]?[0-9]+")
_I64 = 2**63


def parse_i64(text: str) -> Optional[int]:
    """An integer as Rust's `i64::from_str` reads one: optional sign, ASCII digits only, in
    range. Python's int() would also take spaces, underscores and other scripts' digits."""
    if not _INT.fullmatch(text):
        return None
    value = int(text)
    return value if -_I64 <= value < _I64 else None


def now_or(now: Optional[int]) -> int:
    return int(time.time()) if now is None else now
