/**
 * The one translation of zod issues into the project's own words, for every resource's schema: the
 * property path, the offending value and the fix. Unknown keys are named with the closest known key
 * of the object they sit in, read from the schema itself. A field may say what it expects
 * (`expected`), and a schema parsed through `parseIssues` may word a rule itself (`error:`).
 */
import { z } from "zod";
import { describeValue, issue, type PathSegment, type ValidationIssue, valueAt } from "./issues";

/** The keys a (possibly optional/array-wrapped) object schema accepts at `path`, or []. */
function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (!current) return [];
    if (typeof segment === "number") {
      current = current instanceof z.ZodArray ? unwrap(current.element as z.ZodType) : undefined;
    } else {
      current = current instanceof z.ZodObject ? unwrap((current.shape as Record<string, z.ZodType>)[segment]) : undefined;
    }
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  return s;
}

function expectedType(expected: string): string {
  switch (expected) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "int":
      return "a whole number";
    case "boolean":
      return "true or false";
    case "array":
      return "a list";
    case "object":
      return "an object";
    default:
      return `a ${expected}`;
  }
}

export interface TranslateOptions {
  /** What the root object is, for "is not a known field of ...". */
  rootName: string;
  /** Fields the API owns, per parent path ("" = root): setting them is refused with its own message. */
  serverSet?: Record<string, readonly string[]>;
  /**
   * What a field should hold, phrased to follow "must be" or "add", by path with `[]` for any list
   * entry ("settings.maxConcurrentSessions", "allowedOrigins[]"); "" for the root.
   */
  expected?: Record<string, string>;
}

/** The message zod gives an issue no schema worded, when parsed by parseIssues: ours to word. */
const UNWORDED = "\u0000unworded";

/**
 * Parses and translates in one. A rule the schema words itself (`error:` on a field or check,
 * `addIssue` in a refinement) keeps its message as written, each one reported; the rest are worded
 * here, one per field.
 */
export function parseIssues<S extends z.ZodType>(
  schema: S,
  input: unknown,
  opts: TranslateOptions,
): { parsed: z.ZodSafeParseResult<z.output<S>>; issues: ValidationIssue[] } {
  const parsed = schema.safeParse(input, { error: () => UNWORDED });
  return { parsed, issues: parsed.success ? [] : translate(schema, parsed.error.issues, input, opts, true) };
}

export function translateIssues(
  schema: z.ZodType,
  zodIssues: readonly z.core.$ZodIssue[],
  input: unknown,
  opts: TranslateOptions,
): ValidationIssue[] {
  return translate(schema, zodIssues, input, opts, false);
}

function translate(
  schema: z.ZodType,
  zodIssues: readonly z.core.$ZodIssue[],
  input: unknown,
  opts: TranslateOptions,
  marked: boolean,
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  // zod reports a huge integer twice (safe-integer range and the field's bound); the bound is the useful one.
  const pathKey = (zi: z.core.$ZodIssue) => JSON.stringify(zi.path.map(String));
  const isBound = (zi: z.core.$ZodIssue) => zi.code === "too_big" || zi.code === "too_small";
  const bounded = new Set(zodIssues.filter((zi) => isBound(zi) && zi.origin !== "int").map(pathKey));
  for (const zi of zodIssues) {
    if (isBound(zi) && zi.origin === "int" && bounded.has(pathKey(zi))) continue;
    const path = zi.path.filter((s): s is string | number => typeof s !== "symbol");
    if (zi.code === "unrecognized_keys") {
      for (const key of zi.keys) out.push(unknownKey(schema, path, key, opts));
      continue;
    }
    if (marked && zi.message !== UNWORDED) {
      out.push(issue(path, zi.message));
      continue;
    }
    const at = issue(path, "").path;
    if (seen.has(at)) continue; // the first issue of a field is the most basic (type before bounds)
    seen.add(at);
    out.push(issue(path, messageFor(zi, valueAt(input, path), opts.expected?.[patternOf(path)])));
  }
  return out;
}

/** "allowedOrigins[]" for allowedOrigins[2]: the key of `expected`. */
function patternOf(path: readonly PathSegment[]): string {
  return path
    .map((s) => (typeof s === "number" ? "[]" : s))
    .join(".")
    .replace(/\.\[\]/g, "[]");
}

function messageFor(zi: z.core.$ZodIssue, value: unknown, expected: string | undefined): string {
  const use = expected ? `; use ${expected}` : "";
  switch (zi.code) {
    case "invalid_type":
      if (value === undefined) return `is required; add ${expected ?? expectedType(zi.expected)}`;
      if (zi.expected === "int" && typeof value === "number") return `must be a whole number (got ${describeValue(value)})${use}`;
      return `must be ${expected ?? expectedType(zi.expected)} (got ${describeValue(value)})`;
    case "too_big": {
      const max = Number(zi.maximum);
      if (zi.origin === "string") return `must be at most ${max} characters (got ${(value as string).length}); shorten it`;
      if (zi.origin === "array") return `must have at most ${max} entries (got ${(value as unknown[]).length}); remove some`;
      if (zi.origin === "int") return `must be a whole number within the safe integer range (got ${describeValue(value)})${use}`;
      return `must be at most ${max} (got ${describeValue(value)}); lower it to ${max} or less`;
    }
    case "too_small": {
      const min = Number(zi.minimum);
      if (zi.origin === "string")
        return min <= 1 ? `must not be empty${use}` : `must be at least ${min} characters (got ${(value as string).length})`;
      if (zi.origin === "array")
        return expected && min <= 1
          ? `must not be empty; add ${expected}`
          : `must have at least ${min} ${min === 1 ? "entry" : "entries"}; add one`;
      return `must be at least ${min} (got ${describeValue(value)}); raise it to ${min} or more`;
    }
    case "invalid_value":
      return `must be ${expected ?? zi.values.map((v) => JSON.stringify(v)).join(", ")} (got ${describeValue(value)})`;
    default:
      // Custom and format checks carry their own message, written with the fix.
      return expected ? `must be ${expected} (got ${describeValue(value)})` : `${zi.message} (got ${describeValue(value)})`;
  }
}

function unknownKey(schema: z.ZodType, parent: readonly PathSegment[], key: string, opts: TranslateOptions): ValidationIssue {
  const parentKey = issue(parent, "").path;
  const path = [...parent, key];
  if ((opts.serverSet?.[parentKey] ?? []).includes(key)) {
    return issue(path, "is set by the server and cannot be given as input; remove it (copied from an API response?)");
  }
  const known = knownKeysAt(schema, parent);
  const suggestion = closestKey(key, known);
  const where = parentKey === "" ? opts.rootName : parentKey;
  if (suggestion) return issue(path, `is not a known field of ${where}; did you mean "${suggestion}"?`);
  return issue(path, `is not a known field of ${where}; remove it (known fields: ${known.join(", ")})`);
}

/** The known key a typo most likely meant, or undefined when nothing is close enough to be a typo. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  // Allow roughly one slip per four characters, so short unrelated words are not "corrected".
  const tolerance = Math.max(1, Math.min(3, Math.floor(key.length / 4)));
  return bestDistance <= tolerance ? best : undefined;
}

/*
 * Edit distance where swapping two neighbouring letters ("nmae") counts as one slip (optimal string
 * alignment). A dozen lines over a handful of short keys: a dependency would cost more.
 */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
