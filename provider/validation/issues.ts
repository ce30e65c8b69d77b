/** One validation failure: where it is and what to do about it. */
export interface ValidationIssue {
  /** Dots for properties and [i] for list entries ("settings.maxConcurrentSessions", "allowedOrigins[1]"); "" for the whole definition. */
  path: string;
  message: string;
}

/** What every validator returns: the parsed value, or every issue found (warnings never refuse). */
export type ValidationResult<T> =
  { ok: true; value: T; warnings?: string[] } | { ok: false; issues: ValidationIssue[]; warnings?: string[] };

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function formatPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    // Keys that are not identifiers (a typo like "max sessions") stay readable and unambiguous.
    else if (!IDENTIFIER.test(segment)) out += `[${JSON.stringify(segment)}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

export function issue(segments: readonly PathSegment[], message: string): ValidationIssue {
  return { path: formatPath(segments), message };
}

/** The value at `path` inside `root`, or undefined where the path leaves it. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment as string];
  }
  return current;
}

/** Multi-line message for humans (Pulumi diagnostics, CLI output): one issue per line. */
export function formatIssues(issues: ValidationIssue[]): string {
  return issues.map((i) => `  - ${i.path === "" ? "(definition)" : i.path}: ${i.message}`).join("\n");
}

/** Short rendering of an offending value for "(got ...)": enough to recognise it, never a wall of text. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}
