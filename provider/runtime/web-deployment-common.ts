/**
 * What the two web deployment resources share: splitting the steering input (adoptExistingId)
 * from the document, comparing documents the way the API stores them, shaping a live document to
 * the declared schema, and polling with a deadline. (Which existing object is theirs, and undoing
 * a failed create, is create-or-adopt.ts, as for every resource.)
 */
import canonicalize from "canonicalize";
import { z } from "zod";
import type { RuntimeContext } from "./context";

/** Inputs that steer the provider but are not part of the document sent to the API. */
export function splitInputs(raw: Record<string, unknown>): { definition: Record<string, unknown>; adoptExistingId?: string } {
  const definition: Record<string, unknown> = {};
  let adoptExistingId: string | undefined;
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith("__")) continue; // engine-owned (__provider)
    if (key === "adoptExistingId") {
      if (typeof value === "string" && value !== "") adoptExistingId = value;
      continue;
    }
    definition[key] = value;
  }
  return { definition, adoptExistingId };
}

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
 * Keeps only what the schema declares, recursively: the server adds its own members (ids,
 * dates, users, expansions), which are not the user's to declare and must not read as drift.
 */
export function projectOnto(schema: z.ZodType, value: unknown): unknown {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  if (s instanceof z.ZodObject && value !== null && typeof value === "object" && !Array.isArray(value)) {
    const shape = s.shape as Record<string, z.ZodType>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k in shape && v !== undefined && v !== null) out[k] = projectOnto(shape[k]!, v);
    }
    return out;
  }
  if (s instanceof z.ZodArray && Array.isArray(value)) return value.map((v) => projectOnto(s.element as z.ZodType, v));
  return value;
}

/** Polls `probe` every healthPollIntervalMs until it returns a value or the deadline passes. */
export async function pollUntil<T>(
  ctx: RuntimeContext,
  probe: () => Promise<T | undefined>,
  timeoutSeconds: number = ctx.config.healthTimeoutSeconds,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() + ctx.config.healthPollIntervalMs > deadline) return undefined;
    await ctx.sleep(ctx.config.healthPollIntervalMs);
  }
}
