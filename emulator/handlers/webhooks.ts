import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { isoNow } from "../clock";
import type { EmulatorContext } from "../context";
import { SCOPES } from "../contract";
import { ApiError, invalidField, notFound } from "../errors";
import type { Webhook } from "../model";
import { parseWebhook, requireObjectBody } from "../validation";
import { requireScope } from "./auth";
import { pageBody, parsePaging } from "./paging";

const BASE = "/api/v2/webhooks/webhooks";

type IdRoute = { Params: { id: string } };

function webhookNotFound(id: string): ApiError {
  return notFound(`Webhook ${id} was not found.`);
}

function nameTaken(name: string): ApiError {
  return new ApiError(409, "conflict", `A webhook named "${name}" already exists.`, {
    messageParams: { name },
    details: [{ errorCode: "conflict", fieldName: "name" }],
  });
}

export function registerWebhooks(app: FastifyInstance, ctx: EmulatorContext): void {
  const scoped = { preHandler: requireScope(ctx, SCOPES.webhookWrite) };
  const { store } = ctx;

  app.post(BASE, scoped, async (req, reply) => {
    const input = parseWebhook(req.body);
    const now = isoNow(ctx.clock);
    const id = randomUUID();
    const secret = input.secret ?? null;
    const webhook = toWebhook(input, { id, hasSecret: secret !== null, dateCreated: now, dateModified: now, selfUri: `${BASE}/${id}` });
    if (store.insertWebhook(webhook, secret) === "name-taken") throw nameTaken(webhook.name);
    return reply.code(201).header("location", webhook.selfUri).send(webhook);
  });

  app.get(BASE, scoped, async (req) => {
    const { pageSize, pageNumber, name } = parsePaging(req.query as Record<string, unknown>);
    const page = store.listWebhooks({ name, offset: (pageNumber - 1) * pageSize, limit: pageSize });
    return pageBody(page.items, page.total, pageSize, pageNumber);
  });

  app.get<IdRoute>(`${BASE}/:id`, scoped, async (req) => {
    const found = store.getWebhook(req.params.id);
    if (!found) throw webhookNotFound(req.params.id);
    return found.webhook;
  });

  app.put<IdRoute>(`${BASE}/:id`, scoped, async (req) => {
    const { id } = req.params;
    const existing = store.getWebhook(id);
    if (!existing) throw webhookNotFound(id);
    const body = requireObjectBody(req.body);
    if (body.id !== undefined && body.id !== id) throw invalidField("id", "must match the id in the path");
    const input = parseWebhook(body);
    // The secret is write-only, so a client cannot echo it back: leaving it out keeps it, null removes it.
    const secret = input.secret === undefined ? existing.secret : input.secret;
    const webhook = toWebhook(input, {
      id,
      hasSecret: secret !== null,
      dateCreated: existing.webhook.dateCreated,
      dateModified: isoNow(ctx.clock),
      selfUri: existing.webhook.selfUri,
    });
    const result = store.updateWebhook(webhook, secret);
    if (result === "name-taken") throw nameTaken(webhook.name);
    if (result === "not-found") throw webhookNotFound(id);
    return webhook;
  });

  app.delete<IdRoute>(`${BASE}/:id`, scoped, async (req, reply) => {
    if (!store.deleteWebhook(req.params.id)) throw webhookNotFound(req.params.id);
    return reply.code(204).send();
  });
}

/** The stored webhook: the client's definition plus what the server owns. */
function toWebhook(
  input: ReturnType<typeof parseWebhook>,
  owned: Pick<Webhook, "id" | "hasSecret" | "dateCreated" | "dateModified" | "selfUri">,
): Webhook {
  return {
    id: owned.id,
    name: input.name,
    uri: input.uri,
    eventFilters: input.eventFilters,
    type: input.type,
    enabled: input.enabled,
    deliveryPolicy: input.deliveryPolicy,
    hasSecret: owned.hasSecret,
    dateCreated: owned.dateCreated,
    dateModified: owned.dateModified,
    selfUri: owned.selfUri,
  };
}
