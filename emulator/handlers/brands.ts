import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context";
import { SCOPES } from "../contract";
import { BRANDS } from "../services/brands";
import { requireScope } from "./auth";
import { registerCollection } from "./collection";

function wantsHealth(expand: string | undefined): boolean {
  return expand !== undefined && expand.split(",").some((e) => e.trim() === "health");
}

/** /api/v2/webchat/brands: HTTP in and out; BrandsService owns the rules. */
export function registerBrands(app: FastifyInstance, ctx: EmulatorContext): void {
  const read = { preHandler: requireScope(ctx, SCOPES.brandRead) };
  const write = { preHandler: requireScope(ctx, SCOPES.brandWrite) };
  const { brands } = ctx;
  registerCollection(app, BRANDS, { read, write }, brands, async (req, reply) => {
    const { id } = req.params;
    if (wantsHealth(req.query.expand)) return brands.checkHealth(id);
    // The hot path: hand back the stored JSON as-is.
    return reply.type("application/json; charset=utf-8").send(brands.getJson(id));
  });
}
