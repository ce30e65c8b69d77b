/**
 * The one way a resource's validator runs: its zod schema (shape, types, bounds) and then the rules
 * that span fields, every problem at once, so `pulumi preview` lists them all before any API call.
 */
import type { z } from "zod";
import { issue, type ValidationIssue, type ValidationResult } from "./issues";
import { isUnknownAt } from "./unknown";
import { type TranslateOptions, translateIssues } from "./zod-issues";

export function validateAgainst<S extends z.ZodObject>(
  schema: S,
  input: unknown,
  opts: TranslateOptions & { rules: (raw: Record<string, unknown>) => ValidationIssue[] },
): ValidationResult<z.output<S>> {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return { ok: false, issues: [issue([], `must be an object describing ${opts.rootName.replace(/^an? /, "one ")}`)] };
  }
  const raw = input as Record<string, unknown>;
  const parsed = schema.safeParse(raw);
  const issues = parsed.success ? [] : translateIssues(schema, parsed.error.issues, raw, opts);
  issues.push(...opts.rules(raw));
  // Values other resources have not produced yet (ids during a preview) are judged once known.
  const known = issues.filter((i) => !isUnknownAt(raw, i.path));
  if (known.length > 0) return { ok: false, issues: known };
  // Only unknowns failed: passed on as declared, and judged again once they are known.
  return parsed.success ? { ok: true, value: parsed.data } : { ok: true, value: raw as z.output<S> };
}
