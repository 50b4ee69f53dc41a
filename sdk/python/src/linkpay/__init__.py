"""linkpay for merchants' Python backends, standard library only.

- Mint payment links offline from a `linkpay keys` file: `mint_link`, `mint_link_token`.
- Verify link tokens: `verify_link_token`.
- Verify webhooks (Standard Webhooks): `verify_webhook`.
- Verify the signed redirect back to your site: `verify_redirect`.

Every error is a `LinkpayError` with a stable `.code`.
"""

from .errors import (
    KeyFileError,
    LinkpayError,
    LinkTokenError,
    RedirectVerificationError,
    WebhookVerificationError,
)
from .keyfile import KeyRing, RingKey, keys_from_env, parse_key_file, parse_key_ring, read_key_file
from .claims import CURRENCY_MAXIMUM, LinkClaims
from .redirect import RedirectResult, parse_form, sign_redirect, verify_redirect
from .token import (
    MintedLink,
    link_url,
    mint_link,
    mint_link_token,
    new_link_id,
    verify_link_token,
)
from .webhook import sign_webhook, verify_webhook, verify_webhook_headers

__version__ = "0.1.0"
#: The wire formats this release follows: link token v1, webhook signature v1 (Standard
#: Webhooks), redirect signature v1.
TOKEN_FORMAT_VERSION = 1

__all__ = [
    "CURRENCY_MAXIMUM",
    "KeyFileError",
    "KeyRing",
    "LinkClaims",
    "LinkTokenError",
    "LinkpayError",
    "MintedLink",
    "RedirectResult",
    "RedirectVerificationError",
    "RingKey",
    "TOKEN_FORMAT_VERSION",
    "WebhookVerificationError",
    "keys_from_env",
    "link_url",
    "mint_link",
    "mint_link_token",
    "new_link_id",
    "parse_form",
    "parse_key_file",
    "parse_key_ring",
    "read_key_file",
    "sign_redirect",
    "sign_webhook",
    "verify_link_token",
    "verify_redirect",
    "verify_webhook",
    "verify_webhook_headers",
]
