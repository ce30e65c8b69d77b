import type { FastifyRequest } from "fastify";
import { invalidField } from "../errors";
import type { Page } from "../persistence/store";

const MAX_PAGE_SIZE = 500;

function parsePaging(query: Record<string, unknown>): { pageSize: number; pageNumber: number; name?: string } {
  const int = (key: string, fallback: number, max: number): number => {
    const raw = query[key];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max) throw invalidField(key, `must be an integer between 1 and ${max}`);
    return n;
  };
  const pageSize = int("pageSize", 25, MAX_PAGE_SIZE);
  const pageNumber = int("pageNumber", 1, 1_000_000);
  const name = typeof query.name === "string" ? query.name : undefined;
  return { pageSize, pageNumber, ...(name !== undefined ? { name } : {}) };
}

function pageBody<T>(items: T[], total: number, pageSize: number, pageNumber: number) {
  return { entities: items, pageSize, pageNumber, total, pageCount: Math.ceil(total / pageSize) };
}

/** The GET of a page-numbered listing (?pageSize&pageNumber&name), answered as Genesys's entity listing. */
export function pagedListing<T>(list: (query: { name?: string; offset: number; limit: number }) => Page<T>) {
  return async (req: FastifyRequest) => {
    const { pageSize, pageNumber, name } = parsePaging(req.query as Record<string, unknown>);
    const page = list({ name, offset: (pageNumber - 1) * pageSize, limit: pageSize });
    return pageBody(page.items, page.total, pageSize, pageNumber);
  };
}
