/** The LoadBalancerWebhook resource: its names, schemas and lifecycle (see ../definition.ts). */
import { z } from "zod";
import { adoptExistingId, defineResource } from "../definition";
import { lifecycle } from "./lifecycle";
import { webhookInputSchema } from "./schema";

export const webhook = defineResource({
  kind: "webhook",
  name: "LoadBalancerWebhook",
  description: "A webhook that keeps an external load balancer's pool in sync with a channel.",
  inputs: webhookInputSchema,
  extraInputs: {
    adoptExistingId: adoptExistingId.describe(
      "Take over an existing webhook by id instead of creating one (`pulumi import` does the same for a whole resource): " +
        "written only where it differs from these inputs, and its load balancer is sent an enrolment only after such a write. " +
        "Its secret cannot be read back, so it is never compared.",
    ),
  },
  outputs: {
    webhookId: z.string().describe("The webhook's id in Genesys Cloud."),
    signed: z.boolean().describe("Deliveries are signed with the provider's webhookSecret."),
    enrolled: z
      .boolean()
      .describe("The load balancer was sent the followed channel's current state (false when disabled, or stale after a refresh)."),
  },
  lifecycle,
});
