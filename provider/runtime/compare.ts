/**
 * The one comparison of documents every lifecycle uses: the API and Pulumi both spell "not set" as
 * an absent member, undefined or null, and key order means nothing, so documents are compared in one
 * canonical spelling with unset members dropped.
 */
import canonicalize from "canonicalize";
import { z } from "zod";

/** Drops undefined and null members (the API and Pulumi both use them for "not set"), recursively. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) out[k] = compact(v);
    return out as T;
  }
  return value;
}

/** One spelling per document: key order and unset members never show up as a change. */
function canonical(value: unknown): string {
  return canonicalize(compact(value)) ?? "null";
}

export function sameDocument(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/**
 * The paths (`settings.rateLimitThreshold`) at which two documents differ, in the order their
 * members appear: objects compared member by member, everything else (arrays included) as a whole.
 */
export function differingFields(a: unknown, b: unknown, prefix = ""): string[] {
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => differingFields(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return sameDocument(a, b) ? [] : [prefix || "(the whole document)"];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Keeps only what the schema declares, recursively: the server adds its own members (ids,
 * dates, users, expansions), which are not the user's to declare and must not read as drift.
 */
export function projectOnto(schema: z.ZodType, value: unknown): unknown {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  if (s instanceof z.ZodObject && isPlainObject(value)) {
    const shape = s.shape as Record<string, z.ZodType>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k in shape && v !== undefined && v !== null) out[k] = projectOnto(shape[k]!, v);
    }
    return out;
  }
  if (s instanceof z.ZodArray && Array.isArray(value)) return value.map((v) => projectOnto(s.element as z.ZodType, v));
  return value;
}
