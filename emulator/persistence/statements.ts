import type Database from "better-sqlite3";

/**
 * A store's prepared statements, by name, from their SQL: `rows` answer with rows (or only run),
 * `values` with the first column's value (better-sqlite3's pluck), so a lookup of one document reads
 * as the string it stored (pluck is refused on a statement that returns nothing, hence two groups).
 * Prepared once, when the store opens, so a typo in the SQL fails at start.
 */
export function prepareStatements<R extends string, V extends string>(
  db: Database.Database,
  sql: { rows: Record<R, string>; values: Record<V, string> },
): Record<R | V, Database.Statement> {
  const prepare = (entries: Record<string, string>, pluck: boolean) =>
    Object.entries(entries).map(([name, text]) => [name, pluck ? db.prepare(text).pluck() : db.prepare(text)] as const);
  return Object.fromEntries([...prepare(sql.rows, false), ...prepare(sql.values, true)]) as Record<R | V, Database.Statement>;
}
