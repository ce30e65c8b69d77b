import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/** prevHash of the very first record: nothing precedes it. */
export const GENESIS_HASH = "0".repeat(64);

/** RFC 8785 (JCS): the same value always hashes the same, whatever the key order. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("value has no JSON representation");
  return text;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The record's own hash covers every field but `hash` itself, prevHash included, which is what chains it. */
export function recordHash(record: Record<string, unknown>): string {
  const { hash: _ignored, ...rest } = record;
  return sha256Hex(canonicalJson(rest));
}
