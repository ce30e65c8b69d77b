import { invalidField, validationFailure, type ApiError } from "../errors";
import { LIMITS } from "./contract";
import type { CursorPage, CursorQuery } from "./model";

/**
 * Cursor paging as Genesys's newer listings do it: pageSize, before, after; the answer carries
 * nextUri/previousUri (with the cursor to follow), selfUri and total, and no page numbers.
 * A cursor is an opaque token for a position in the listing's order.
 */

const PREFIX = "wd1.";

function encodeCursor(seq: number): string {
  return PREFIX + Buffer.from(String(seq), "utf8").toString("base64url");
}

function decodeCursor(raw: string): number | undefined {
  if (!raw.startsWith(PREFIX)) return undefined;
  const text = Buffer.from(raw.slice(PREFIX.length), "base64url").toString("utf8");
  if (!/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

export function parseCursorQuery(query: Record<string, unknown>): CursorQuery {
  const errors: ApiError[] = [];
  const q: CursorQuery = { limit: LIMITS.pageSize.default };
  const size = query.pageSize;
  if (size !== undefined && size !== "") {
    const n = Number(size);
    if (!Number.isInteger(n) || n < 1 || n > LIMITS.pageSize.max) {
      errors.push(invalidField("pageSize", `must be an integer between 1 and ${LIMITS.pageSize.max}`));
    } else q.limit = n;
  }
  for (const key of ["after", "before"] as const) {
    const raw = query[key];
    if (raw === undefined || raw === "") continue;
    const seq = typeof raw === "string" ? decodeCursor(raw) : undefined;
    if (seq === undefined) errors.push(invalidField(key, "is not a cursor this listing issued; follow nextUri or previousUri"));
    else q[key] = seq;
  }
  if (q.after !== undefined && q.before !== undefined) {
    errors.push(invalidField("before", "cannot be combined with after", "bad.request"));
  }
  if (pageNumberGiven(query))
    errors.push(invalidField("pageNumber", "is not supported: this listing pages by cursor (after/before)", "bad.request"));
  if (errors.length > 0) throw validationFailure(errors);
  return q;
}

function pageNumberGiven(query: Record<string, unknown>): boolean {
  return query.pageNumber !== undefined;
}

export interface Listing<T> {
  entities: T[];
  nextUri?: string;
  previousUri?: string;
  selfUri: string;
  total: number;
}

/** The listing body; `keep` are the request's other query parameters, carried into every link. */
export function listingBody<R extends { seq: number }, T>(
  path: string,
  page: CursorPage<R>,
  limit: number,
  keep: Record<string, string>,
  render: (r: R) => T,
  selfQuery: string,
): Listing<T> {
  const link = (cursor: Record<string, string>): string => {
    const qs = new URLSearchParams({ ...keep, pageSize: String(limit), ...cursor });
    return `${path}?${qs.toString()}`;
  };
  const first = page.items[0];
  const last = page.items[page.items.length - 1];
  return {
    entities: page.items.map(render),
    ...(page.hasMoreAfter && last ? { nextUri: link({ after: encodeCursor(last.seq) }) } : {}),
    ...(page.hasMoreBefore && first ? { previousUri: link({ before: encodeCursor(first.seq) }) } : {}),
    selfUri: selfQuery ? `${path}?${selfQuery}` : path,
    total: page.total,
  };
}
