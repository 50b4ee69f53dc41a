"""Exceptions. Each carries `.code`, a stable machine-readable name: for link tokens,
webhooks and redirects it is the error name the test vectors in `shared/testdata/` use,
so code can branch on it and tests can compare it with the vectors."""

from __future__ import annotations

from typing import Optional


class LinkpayError(Exception):
    """Base class of every error this package raises on purpose."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class LinkTokenError(LinkpayError):
    """A link token that does not verify, or claims that cannot be signed.

    Codes: too_long, bad_encoding, unsupported_version, unknown_key, bad_signature,
    bad_claims, unsupported_currency, amount_out_of_range, mode_mismatch, expired,
    no_signing_key. `field` names the claim at fault for bad_claims, when known.
    """

    def __init__(self, code: str, message: str, field: Optional[str] = None) -> None:
        super().__init__(code, message)
        self.field = field


class KeyFileError(LinkpayError):
    """A key file or key ring that cannot be used. `line` is the 1-based line of a key file
    at fault, when there is one. Messages never contain a secret.

    Codes: bad_key_file, no_keys, insecure_key_file.
    """

    def __init__(self, code: str, message: str, line: Optional[int] = None) -> None:
        super().__init__(code, message)
        self.line = line


class WebhookVerificationError(LinkpayError):
    """A webhook delivery that does not verify.

    Codes: bad_secret, bad_timestamp, timestamp_out_of_tolerance, no_matching_signature,
    and missing_header (a webhook-* header is absent; not a vector case).
    """


class RedirectVerificationError(LinkpayError):
    """A redirect back to the merchant that does not verify.

    Codes: bad_secret, missing_field, duplicate_field, bad_timestamp,
    timestamp_out_of_tolerance, no_matching_signature. `field` names the missing or
    repeated field.
    """

    def __init__(self, code: str, message: str, field: Optional[str] = None) -> None:
        super().__init__(code, message)
        self.field = field
