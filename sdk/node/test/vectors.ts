// Reads the shared test vectors from the repository at test time: they are the contract, so
// when the format changes these tests fail until the SDK follows.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** `shared/testdata/`, from build/test/ (compiled) up to the repository root. */
export const TESTDATA = process.env["LINKPAY_TESTDATA"] ?? fileURLToPath(new URL("../../../../shared/testdata/", import.meta.url));

export function readVectors<T>(name: string): T {
  return JSON.parse(readFileSync(`${TESTDATA}/${name}`, "utf8")) as T;
}

export interface LinkVectors {
  description: string;
  domain: string;
  now: number;
  keys: Record<string, string>;
  key_order: string[];
  live_kids?: string[];
  valid: Array<{ name: string; kid: string; claims: Record<string, unknown>; token: string }>;
  invalid: Array<{ name: string; token: string; error: string }>;
}

export interface SignatureVectors<T> {
  description: string;
  now: number;
  tolerance_secs: number;
  cases: Array<T & { name: string; secret: string; error: string | null }>;
}

export type WebhookCase = { webhook_id: string; webhook_timestamp: string; webhook_signature: string; body: string };
export type RedirectCase = { received: string; canonical: string | null };
