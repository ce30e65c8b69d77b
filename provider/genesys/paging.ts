/** Genesys's cursor-paged listings (entities, nextUri with an `after` cursor), walked one way. */
import type { CallTrace, Transport } from "./transport";

export interface CursorPage<T> {
  entities?: T[];
  nextUri?: string;
  previousUri?: string;
  total?: number;
}

const PAGE_SIZE = 100;
/** Enough pages for any org; a server whose cursor never ends cannot keep a lookup going for ever. */
const MAX_PAGES = 200;

/** Walks a cursor-paged listing, following nextUri's `after` cursor, until `stop` says so. */
export async function walk<T>(
  transport: Transport,
  operation: string,
  path: string,
  trace: CallTrace | undefined,
  stop: (entity: T) => boolean,
  extraQuery: Record<string, string | number> = {},
): Promise<T | undefined> {
  let query: Record<string, string | number> = { pageSize: PAGE_SIZE, ...extraQuery };
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await transport.request<CursorPage<T>>({ operation, method: "GET", path, query, trace });
    const found = (res.data.entities ?? []).find(stop);
    if (found) return found;
    const next = res.data.nextUri;
    if (!next) return undefined;
    const after = new URL(next, "http://cursor.invalid").searchParams.get("after");
    if (!after) return undefined;
    query = { pageSize: PAGE_SIZE, ...extraQuery, after };
  }
  return undefined;
}
