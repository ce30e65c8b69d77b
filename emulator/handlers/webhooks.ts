import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context";
import { SCOPES } from "../contract";
import { WEBHOOKS } from "../services/webhooks";
import { requireScope } from "./auth";
import { pagedListing } from "./paging";
import { created } from "./replies";

type IdRoute = { Params: { id: string } };

/** /api/v2/webhooks/webhooks: HTTP in and out; WebhooksService owns the rules. */
export function registerWebhooks(app: FastifyInstance, ctx: EmulatorContext): void {
  const scoped = { preHandler: requireScope(ctx, SCOPES.webhookWrite) };
  const { webhooks } = ctx;

  app.post(WEBHOOKS, scoped, async (req, reply) => created(reply, webhooks.create(req.body)));

  app.get(
    WEBHOOKS,
    scoped,
    pagedListing((query) => webhooks.list(query)),
  );

  app.get<IdRoute>(`${WEBHOOKS}/:id`, scoped, async (req) => webhooks.get(req.params.id));

  app.put<IdRoute>(`${WEBHOOKS}/:id`, scoped, async (req) => webhooks.update(req.params.id, req.body));

  app.delete<IdRoute>(`${WEBHOOKS}/:id`, scoped, async (req, reply) => {
    webhooks.delete(req.params.id);
    return reply.code(204).send();
  });
}
