/**
 * Values another resource has not produced yet (an id during a preview) reach a provider as Pulumi's
 * unknown placeholder; validators leave them to be judged once known, diffs report them as changes.
 */
import { valueAt } from "./issues";

/** What the engine sends a dynamic provider for a value that is not known yet. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when the value holds an unknown anywhere inside it. */
export function hasUnknown(value: unknown): boolean {
  return JSON.stringify(value ?? null).includes(UNKNOWN);
}

/** True when the field (or an object holding it) is a value the engine does not know yet. */
export function isUnknownAt(root: Record<string, unknown>, path: string): boolean {
  const segments = path
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  for (let n = 0; n <= segments.length; n++) {
    if (valueAt(root, segments.slice(0, n)) === UNKNOWN) return true;
  }
  return false;
}
