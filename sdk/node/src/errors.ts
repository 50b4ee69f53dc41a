/**
 * Every error this package throws is a `LinkpayError`. Its `code` is a stable name: for
 * tokens, webhooks and redirects it is the name the test vectors in
 * `shared/testdata/*.json` use, so code can branch on it across SDKs and versions.
 * Messages never contain a secret.
 */
export class LinkpayError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** A link token that does not verify, or claims that cannot be signed. */
export class LinkTokenError extends LinkpayError {
  /** For `bad_claims`: the claim (or option) that is wrong, e.g. `title`. */
  readonly field: string | undefined;

  constructor(code: LinkTokenErrorCode, message: string, field?: string) {
    super(code, message);
    this.field = field;
  }
}

export type LinkTokenErrorCode =
  | "too_long"
  | "bad_encoding"
  | "unsupported_version"
  | "unknown_key"
  | "bad_signature"
  | "bad_claims"
  | "unsupported_currency"
  | "amount_out_of_range"
  | "mode_mismatch"
  | "expired"
  | "no_signing_key"
  | "bad_edge_url";

/** A key file or key ring that cannot be used. `line` names the line of a key file. */
export class KeyFileError extends LinkpayError {
  readonly line: number | undefined;

  constructor(code: KeyFileErrorCode, message: string, line?: number) {
    super(code, message);
    this.line = line;
  }
}

export type KeyFileErrorCode =
  | "bad_key_file"
  | "bad_key_ring"
  | "insecure_key_file"
  | "no_keys";

export class WebhookError extends LinkpayError {
  constructor(code: WebhookErrorCode, message: string) {
    super(code, message);
  }
}

export type WebhookErrorCode =
  | "bad_secret"
  | "missing_header"
  | "bad_timestamp"
  | "timestamp_out_of_tolerance"
  | "no_matching_signature";

export class RedirectError extends LinkpayError {
  /** For `missing_field` and `duplicate_field`: the field's name. */
  readonly field: string | undefined;

  constructor(code: RedirectErrorCode, message: string, field?: string) {
    super(code, message);
    this.field = field;
  }
}

export type RedirectErrorCode =
  | "bad_secret"
  | "missing_field"
  | "duplicate_field"
  | "bad_timestamp"
  | "timestamp_out_of_tolerance"
  | "no_matching_signature";
