/**
 * zod issues in the project's own words for schemas whose fields carry their own messages (the
 * web deployment schemas): the property path, the offending value and the fix. Unknown keys are
 * named with the closest known key of the object they sit in, read from the schema itself.
 */
import { z } from "zod";
import { describeValue, issue, type PathSegment, type ValidationIssue } from "./issues";
import { closestKey, valueAt } from "./schema";

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
}

export function translateIssues(
  schema: z.ZodType,
  zodIssues: readonly z.core.$ZodIssue[],
  input: unknown,
  opts: TranslateOptions,
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const zi of zodIssues) {
    const path = zi.path.filter((s): s is string | number => typeof s !== "symbol");
    if (zi.code === "unrecognized_keys") {
      for (const key of zi.keys) out.push(unknownKey(schema, path, key, opts));
      continue;
    }
    const at = issue(path, "").path;
    if (seen.has(at)) continue; // the first issue of a field is the most basic (type before bounds)
    seen.add(at);
    out.push(issue(path, messageFor(zi, valueAt(input, path))));
  }
  return out;
}

function messageFor(zi: z.core.$ZodIssue, value: unknown): string {
  switch (zi.code) {
    case "invalid_type":
      if (value === undefined) return `is required; add ${expectedType(zi.expected)}`;
      if (zi.expected === "int" && typeof value === "number") return `must be a whole number (got ${describeValue(value)})`;
      return `must be ${expectedType(zi.expected)} (got ${describeValue(value)})`;
    case "too_big": {
      const max = Number(zi.maximum);
      if (zi.origin === "string") return `must be at most ${max} characters (got ${(value as string).length}); shorten it`;
      if (zi.origin === "array") return `must have at most ${max} entries (got ${(value as unknown[]).length}); remove some`;
      return `must be at most ${max} (got ${describeValue(value)}); lower it to ${max} or less`;
    }
    case "too_small": {
      const min = Number(zi.minimum);
      if (zi.origin === "string")
        return min <= 1 ? "must not be empty" : `must be at least ${min} characters (got ${(value as string).length})`;
      if (zi.origin === "array") return `must have at least ${min} ${min === 1 ? "entry" : "entries"}; add one`;
      return `must be at least ${min} (got ${describeValue(value)}); raise it to ${min} or more`;
    }
    case "invalid_value":
      return `must be ${zi.values.map((v) => JSON.stringify(v)).join(", ")} (got ${describeValue(value)})`;
    default:
      // Custom and format checks carry their own message, written with the fix.
      return `${zi.message} (got ${describeValue(value)})`;
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
