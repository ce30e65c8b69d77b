/**
 * Stable names for exported objects: the Pulumi resource name (a slug of the Genesys name) and the
 * TypeScript variable that holds the resource. Objects are named in the order of (name, id), so the
 * same org gives the same names however the API ordered its listings; two objects whose names
 * differ only in punctuation or case get -2, -3, ... in that order.
 */

export interface Named {
  id: string;
  name: string;
}

export interface Naming {
  resourceName: string;
  variable: string;
}

export function byNameThenId<T extends Named>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => compare(a.name, b.name) || compare(a.id, b.id));
}

/** Code-point order, never the locale's: the files must not depend on the machine that made them. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function words(name: string): string[] {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

function slug(name: string, fallback: string): string {
  const s = words(name).join("-").toLowerCase();
  return s || fallback;
}

function camel(prefix: string, name: string): string {
  const parts = words(name).map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase());
  return prefix + parts.join("");
}

/** Names for every item of one kind, keyed by id. */
export function nameAll<T extends Named>(items: readonly T[], kind: string, prefix: string): Map<string, Naming> {
  const used = new Set<string>();
  const usedVariables = new Set<string>();
  const out = new Map<string, Naming>();
  for (const item of byNameThenId(items)) {
    const base = slug(item.name, kind);
    let resourceName = base;
    for (let n = 2; used.has(resourceName); n++) resourceName = `${base}-${n}`;
    used.add(resourceName);
    const varBase = camel(prefix, item.name);
    let variable = varBase;
    for (let n = 2; usedVariables.has(variable); n++) variable = `${varBase}${n}`;
    usedVariables.add(variable);
    out.set(item.id, { resourceName, variable });
  }
  return out;
}
