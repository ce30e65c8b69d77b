import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context";
import { SCOPES } from "../contract";
import { WEBHOOKS } from "../services/webhooks";
import { requireScope } from "./auth";
import { registerCollection } from "./collection";

/** /api/v2/webhooks/webhooks: HTTP in and out; WebhooksService owns the rules. */
export function registerWebhooks(app: FastifyInstance, ctx: EmulatorContext): void {
  // The contract names one webhook scope: reads need it too.
  const scoped = { preHandler: requireScope(ctx, SCOPES.webhookWrite) };
  const { webhooks } = ctx;
  registerCollection(app, WEBHOOKS, { read: scoped, write: scoped }, webhooks, async (req) => webhooks.get(req.params.id));
}
