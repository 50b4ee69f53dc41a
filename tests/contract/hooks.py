"""Schemathesis hooks for linkpay's contract run (tests/tests/contract.rs sets SCHEMATHESIS_HOOKS).

In the stateful phase, two scenarios can draw the same Idempotency-Key for the same POST body.
linkpay then answers the second with the first answer, as the document says, even when that
object has been deleted since, which schemathesis would read as "created resource not
found". Each valid key of a stateful step gets a unique suffix, so every step is a new
request; the key stays within the document's rule (1-255 printable ASCII, no spaces).
"""

import re
import uuid

import schemathesis

KEY = "Idempotency-Key"
VALID = re.compile(r"[!-~]{1,255}")


@schemathesis.hook
def before_call(ctx, case, kwargs):
    key = (case.headers or {}).get(KEY)
    if case.meta is None or case.meta.phase.name != "stateful":
        return
    if isinstance(key, str) and VALID.fullmatch(key):
        case.headers[KEY] = key[:222] + "-" + uuid.uuid4().hex
