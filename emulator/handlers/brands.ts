import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { isoNow } from "../clock";
import type { EmulatorContext } from "../context";
import { SCOPES, type HealthStatus } from "../contract";
import { ApiError, invalidField, notFound } from "../errors";
import { probeEndpoint } from "../health";
import type { Brand } from "../model";
import { parseBrand, requireObjectBody } from "../validation";
import { requireScope } from "./auth";
import { pageBody, parsePaging } from "./paging";

const BASE = "/api/v2/webchat/brands";

type IdRoute = { Params: { id: string }; Querystring: Record<string, string | undefined> };

function brandNotFound(id: string): ApiError {
  return notFound(`Brand ${id} was not found.`);
}

function nameTaken(name: string): ApiError {
  return new ApiError(409, "conflict", `A brand named "${name}" already exists.`, {
    messageParams: { name },
    details: [{ errorCode: "conflict", fieldName: "name" }],
  });
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

function wantsHealth(expand: string | undefined): boolean {
  return expand !== undefined && expand.split(",").some((e) => e.trim() === "health");
}

export function registerBrands(app: FastifyInstance, ctx: EmulatorContext): void {
  const read = { preHandler: requireScope(ctx, SCOPES.brandRead) };
  const write = { preHandler: requireScope(ctx, SCOPES.brandWrite) };
  const { store, dispatcher } = ctx;

  async function probe(brand: Brand): Promise<HealthStatus> {
    const forced = store.getHealthOverride(brand.id);
    if (forced !== undefined) return forced;
    return ctx.config.healthProbe === "connect" ? probeEndpoint(brand.endpointUrl) : "active";
  }

  app.post(BASE, write, async (req, reply) => {
    const { input } = parseBrand(req.body, { requireVersion: false });
    const now = isoNow(ctx.clock);
    const id = randomUUID();
    const brand: Brand = {
      id,
      name: input.name,
      ...(input.description !== undefined ? { description: input.description } : {}),
      endpointUrl: input.endpointUrl,
      allowedOrigins: input.allowedOrigins,
      channelTypes: input.channelTypes,
      // No probe has run yet; the first expand=health (or none at all) decides.
      settings: { ...input.settings, healthStatus: "pending" },
      status: "active",
      version: 1,
      dateCreated: now,
      dateModified: now,
      selfUri: `${BASE}/${id}`,
    };
    if (store.insertBrand(brand) === "name-taken") throw nameTaken(brand.name);
    dispatcher.emit("webchat.brand.created", brand);
    return reply.code(201).header("location", brand.selfUri).send(brand);
  });

  app.get(BASE, read, async (req) => {
    const { pageSize, pageNumber, name } = parsePaging(req.query as Record<string, unknown>);
    const page = store.listBrands({ name, offset: (pageNumber - 1) * pageSize, limit: pageSize });
    return pageBody(page.items, page.total, pageSize, pageNumber);
  });

  app.get<IdRoute>(`${BASE}/:id`, read, async (req, reply) => {
    const { id } = req.params;
    if (!wantsHealth(req.query.expand)) {
      // The hot path: hand back the stored JSON as-is.
      const doc = store.getBrandJson(id);
      if (doc === undefined) throw brandNotFound(id);
      return reply.type("application/json; charset=utf-8").send(doc);
    }
    const brand = store.getBrand(id);
    if (!brand) throw brandNotFound(id);
    const status = await probe(brand);
    const updated = store.recordBrandHealth(id, status, isoNow(ctx.clock));
    if (!updated) throw brandNotFound(id); // deleted while the probe ran
    return updated;
  });

  app.put<IdRoute>(`${BASE}/:id`, write, async (req) => {
    const { id } = req.params;
    const existing = store.getBrand(id);
    if (!existing) throw brandNotFound(id);
    const body = requireObjectBody(req.body);
    if (body.id !== undefined && body.id !== id) throw invalidField("id", "must match the id in the path");
    const { input, version } = parseBrand(body, { requireVersion: true });
    if (!sameSet(input.channelTypes, existing.channelTypes)) {
      throw invalidField("channelTypes", "cannot be changed after creation; delete the brand and create it again");
    }
    const mismatch = (): ApiError =>
      new ApiError(409, "version.mismatch", `The version supplied (${version}) does not match the current version of brand ${id}.`, {
        messageParams: { id, version: String(version) },
      });
    if (version !== existing.version) throw mismatch();

    const updated: Brand = {
      id,
      name: input.name,
      ...(input.description !== undefined ? { description: input.description } : {}),
      endpointUrl: input.endpointUrl,
      allowedOrigins: input.allowedOrigins,
      channelTypes: existing.channelTypes,
      settings: {
        ...input.settings,
        healthStatus: existing.settings.healthStatus,
        ...(existing.settings.lastHealthCheck !== undefined ? { lastHealthCheck: existing.settings.lastHealthCheck } : {}),
      },
      status: existing.status,
      version: existing.version + 1,
      dateCreated: existing.dateCreated,
      dateModified: isoNow(ctx.clock),
      selfUri: existing.selfUri,
    };
    switch (store.updateBrand(updated, existing.version)) {
      case "name-taken":
        throw nameTaken(updated.name);
      case "version-mismatch":
        throw mismatch();
      case "not-found":
        throw brandNotFound(id);
      case "ok":
        break;
    }
    dispatcher.emit("webchat.brand.updated", updated);
    return updated;
  });

  app.delete<IdRoute>(`${BASE}/:id`, write, async (req, reply) => {
    const deleted = store.deleteBrand(req.params.id);
    if (!deleted) throw brandNotFound(req.params.id);
    dispatcher.emit("webchat.brand.deleted", deleted);
    return reply.code(204).send();
  });
}
