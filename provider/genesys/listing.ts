/**
 * Whole listings, for tools that read a whole org (npm run export) rather than one object:
 *   configurations  GET /api/v2/webdeployments/configurations   (cursor paging: nextUri's `after`)
 *   deployments     GET /api/v2/webdeployments/deployments      (cursor paging)
 *   brands          GET /api/v2/webchat/brands                  (page numbers up to pageCount)
 *   webhooks        GET /api/v2/webhooks/webhooks               (page numbers up to pageCount)
 * Every page goes through the client's transport, so pacing, retries and the token pool apply.
 */
import type { Brand } from "../resources/channel/api";
import { PATHS } from "./paths";
import type { CallTrace, Transport } from "./transport";
import type { ConfigurationVersion } from "../resources/webDeploymentConfiguration/api";
import type { Deployment } from "../resources/webDeployment/api";
import type { Webhook } from "../resources/webhook/api";

/** A server whose cursor or page count never ends cannot keep a listing going for ever. */
const MAX_PAGES = 1_000;
const CURSOR_PAGE_SIZE = 100;
const NUMBERED_PAGE_SIZE = 100;

async function cursorListing<T>(transport: Transport, operation: string, path: string, trace?: CallTrace): Promise<T[]> {
  const all: T[] = [];
  let query: Record<string, string | number> = { pageSize: CURSOR_PAGE_SIZE };
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await transport.request<{ entities?: T[]; nextUri?: string }>({ operation, method: "GET", path, query, trace });
    all.push(...(res.data.entities ?? []));
    const next = res.data.nextUri;
    const after = next ? new URL(next, "http://cursor.invalid").searchParams.get("after") : null;
    if (!after) return all;
    query = { pageSize: CURSOR_PAGE_SIZE, after };
  }
  throw new Error(`${operation}: still more pages after ${MAX_PAGES}; the server's cursor does not end`);
}

async function numberedListing<T>(transport: Transport, operation: string, path: string, trace?: CallTrace): Promise<T[]> {
  const all: T[] = [];
  for (let pageNumber = 1; pageNumber <= MAX_PAGES; pageNumber++) {
    const res = await transport.request<{ entities?: T[]; pageCount?: number }>({
      operation,
      method: "GET",
      path,
      query: { pageSize: NUMBERED_PAGE_SIZE, pageNumber },
      trace,
    });
    const entities = res.data.entities ?? [];
    all.push(...entities);
    if (entities.length === 0 || pageNumber >= (res.data.pageCount ?? pageNumber)) return all;
  }
  throw new Error(`${operation}: still more pages after ${MAX_PAGES}; the server's page count does not end`);
}

interface OrgListings {
  configurations(trace?: CallTrace): Promise<ConfigurationVersion[]>;
  deployments(trace?: CallTrace): Promise<Deployment[]>;
  brands(trace?: CallTrace): Promise<Brand[]>;
  webhooks(trace?: CallTrace): Promise<Webhook[]>;
}

/** Every object of each kind the org holds, one listing call per page. */
export function orgListings(transport: Transport): OrgListings {
  return {
    configurations: (trace) => cursorListing(transport, "list web deployment configurations", PATHS.configurations, trace),
    deployments: (trace) => cursorListing(transport, "list web deployments", PATHS.deployments, trace),
    brands: (trace) => numberedListing(transport, "list channels", PATHS.brands, trace),
    webhooks: (trace) => numberedListing(transport, "list webhooks", PATHS.webhooks, trace),
  };
}
