import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context";
import { SCOPES } from "../contract";
import { BRANDS } from "../services/brands";
import { requireScope } from "./auth";
import { pagedListing } from "./paging";
import { created } from "./replies";

type IdRoute = { Params: { id: string }; Querystring: Record<string, string | undefined> };

function wantsHealth(expand: string | undefined): boolean {
  return expand !== undefined && expand.split(",").some((e) => e.trim() === "health");
}

/** /api/v2/webchat/brands: HTTP in and out; BrandsService owns the rules. */
export function registerBrands(app: FastifyInstance, ctx: EmulatorContext): void {
  const read = { preHandler: requireScope(ctx, SCOPES.brandRead) };
  const write = { preHandler: requireScope(ctx, SCOPES.brandWrite) };
  const { brands } = ctx;

  app.post(BRANDS, write, async (req, reply) => created(reply, brands.create(req.body)));

  app.get(
    BRANDS,
    read,
    pagedListing((query) => brands.list(query)),
  );

  app.get<IdRoute>(`${BRANDS}/:id`, read, async (req, reply) => {
    const { id } = req.params;
    if (wantsHealth(req.query.expand)) return brands.checkHealth(id);
    // The hot path: hand back the stored JSON as-is.
    return reply.type("application/json; charset=utf-8").send(brands.getJson(id));
  });

  app.put<IdRoute>(`${BRANDS}/:id`, write, async (req) => brands.update(req.params.id, req.body));

  app.delete<IdRoute>(`${BRANDS}/:id`, write, async (req, reply) => {
    brands.delete(req.params.id);
    return reply.code(204).send();
  });
}
