import { createHmac, timingSafeEqual } from "node:crypto";
import canonicalize from "canonicalize";
import type { ValidationIssue } from "./issues";

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const SIGN_COMMAND = "CHANNEL_SIGNING_KEY=... npm run sign -- def.json";

/** The signed bytes: RFC 8785 (JCS) canonical JSON, so key order and whitespace never change a signature. */
function signedBytes(def: unknown): string {
  let body: unknown = def;
  if (def !== null && typeof def === "object" && !Array.isArray(def)) {
    const { signature: _ignored, ...rest } = def as Record<string, unknown>;
    body = rest;
  }
  const text = canonicalize(body);
  if (text === undefined) throw new TypeError("cannot sign a definition that is not JSON (undefined, a function or a symbol)");
  return text;
}

/** Hex HMAC-SHA256 of the definition without its `signature` property. */
export function signDefinition(def: unknown, key: string): string {
  return createHmac("sha256", key).update(signedBytes(def), "utf8").digest("hex");
}

/** [] when the definition carries a valid signature for this key. Never throws, whatever `signature` holds. */
export function verifySignature(def: unknown, key: string): ValidationIssue[] {
  const how = `sign the definition with \`${SIGN_COMMAND}\` and put the printed value in "signature"`;
  if (def === null || typeof def !== "object" || Array.isArray(def)) {
    return [{ path: "", message: `a signed definition must be a JSON object; ${how}` }];
  }
  const provided = (def as Record<string, unknown>).signature;
  if (provided === undefined) {
    return [{ path: "signature", message: `is required because this stack has a signing key; ${how}` }];
  }
  if (typeof provided !== "string" || !HEX_SHA256.test(provided)) {
    // The expected length is public, so saying "wrong shape" leaks nothing about the key.
    return [{ path: "signature", message: `signature mismatch: must be 64 hex characters (an HMAC-SHA256); ${how}` }];
  }
  let expected: string;
  try {
    expected = signDefinition(def, key);
  } catch (error) {
    return [{ path: "", message: `cannot be canonicalised for signing (${(error as Error).message})` }];
  }
  const same = timingSafeEqual(Buffer.from(expected, "hex"), Buffer.from(provided, "hex"));
  return same
    ? []
    : [
        {
          path: "signature",
          message: `signature mismatch: the definition was changed after signing, or signed with another key; re-sign it with \`${SIGN_COMMAND}\``,
        },
      ];
}
