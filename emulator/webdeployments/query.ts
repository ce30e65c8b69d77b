/** The raw query string of a URL, without the "?". */
export function queryString(url: string): string {
  const q = url.indexOf("?");
  return q < 0 ? "" : url.slice(q + 1);
}

/**
 * expand values however a client spells the list: `expand=a,b`, `expand=a&expand=b`, or axios's
 * `expand[]=a` (what the Genesys JS SDK sends for its 'multi' collection format).
 */
export function expandValues(query: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of ["expand", "expand[]"]) {
    const raw = query[key];
    const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    for (const item of list) for (const part of String(item).split(",")) if (part.trim() !== "") out.push(part.trim());
  }
  return out;
}
