/**
 * The LoadBalancerWebhook resource (see ../definition.ts). Its schema and lifecycle still live in
 * provider/validation/webhook.ts and provider/runtime/webhook.ts; they move into this folder next.
 */
import { z } from "zod";
import {
  checkWebhook,
  createWebhook,
  deleteWebhook,
  diffWebhook,
  readWebhook,
  updateWebhook,
  type WebhookInputs,
} from "../../runtime/webhook";
import { webhookInputSchema } from "../../validation/webhook";
import { adoptExistingId, defineResource } from "../definition";

export const webhook = defineResource({
  kind: "webhook",
  name: "LoadBalancerWebhook",
  description: "A webhook that keeps an external load balancer's pool in sync with a channel.",
  inputs: webhookInputSchema,
  extraInputs: { adoptExistingId },
  outputs: {
    webhookId: z.string().describe("The webhook's id in Genesys Cloud."),
    signed: z.boolean().describe("Deliveries are signed with the provider's webhookSecret."),
    enrolled: z
      .boolean()
      .describe("The load balancer was sent the followed channel's current state (false when disabled, or stale after a refresh)."),
  },
  lifecycle: {
    check: (ctx, _olds, news) => checkWebhook(ctx, news),
    diff: (_id, olds, news) => diffWebhook(olds, news),
    create: (ctx, inputs) => createWebhook(ctx, inputs as unknown as WebhookInputs),
    read: (ctx, id, props) => readWebhook(ctx, id, props),
    update: (ctx, id, olds, news) => updateWebhook(ctx, id, olds, news as unknown as WebhookInputs),
    delete: (ctx, id, props) => deleteWebhook(ctx, id, props),
  },
});
