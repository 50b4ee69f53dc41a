/**
 * The currencies linkpay accepts and the largest amount one link may carry in each, in minor
 * units (as `shared/src/money.rs`): what card acquirers commonly accept per transaction.
 */

export const CURRENCIES = ["JPY", "USD", "EUR", "GBP", "THB", "SGD", "MYR", "KRW"] as const;

export type Currency = (typeof CURRENCIES)[number];

const MAX_MINOR: Readonly<Record<Currency, number>> = {
  JPY: 99_999_999,
  USD: 99_999_999,
  EUR: 99_999_999,
  GBP: 99_999_999,
  THB: 999_999_999,
  SGD: 99_999_999,
  MYR: 99_999_999,
  KRW: 999_999_999,
};

/** Digits after the decimal point (ISO 4217 minor unit). */
export function currencyExponent(currency: Currency): number {
  return currency === "JPY" || currency === "KRW" ? 0 : 2;
}

export function maxMinor(currency: Currency): number {
  return MAX_MINOR[currency];
}

/** The exact upper-case code only, as a token carries it. */
export function isCurrency(code: unknown): code is Currency {
  return typeof code === "string" && (CURRENCIES as readonly string[]).includes(code);
}
