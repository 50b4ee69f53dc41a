/**
 * linkpay for Node: mint payment links offline from a `linkpay keys` file, verify webhooks
 * (Standard Webhooks) and the signed redirect back to a merchant. Link token format v1,
 * webhook signatures v1, redirect signatures v1.
 */

export { LinkpayError, LinkTokenError, KeyFileError, WebhookError, RedirectError } from "./errors.js";
export type { LinkTokenErrorCode, KeyFileErrorCode, WebhookErrorCode, RedirectErrorCode } from "./errors.js";

export { KeyRing, parseKeyRing, isValidKid } from "./keyring.js";
export type { KeyInfo, KeyInput } from "./keyring.js";
export { parseKeyFile, readKeyFile, keysFromEnv } from "./keyfile.js";

export { CURRENCIES, maxMinor, currencyExponent } from "./money.js";
export type { Currency } from "./money.js";
export type { LinkClaims, LinkClaimsInput, Usage, Locale, Metadata } from "./claims.js";
export { mintLinkToken, verifyLinkToken, tokenKeyId, MAX_TOKEN_LEN } from "./token.js";
export type { MintOptions, VerifyLinkOptions } from "./token.js";
export { mintLink, linkUrl, newLinkId, parseSpan, DEFAULT_TTL_SECS, MAX_TTL_SECS } from "./link.js";
export type { MintLinkOptions, MintedLink } from "./link.js";

export { verifyWebhook, signWebhook, DEFAULT_WEBHOOK_TOLERANCE_SECS } from "./webhook.js";
export type { VerifyWebhookOptions, VerifiedWebhook, HeadersLike } from "./webhook.js";

export { verifyRedirect, signRedirect, redirectCanonical, REDIRECT_FIELDS, DEFAULT_REDIRECT_TOLERANCE_SECS } from "./redirect.js";
export type { VerifyRedirectOptions, VerifiedRedirect, Received, RedirectField } from "./redirect.js";
