/** The WebMessagingChannel resource: its names, schemas and lifecycle (see ../definition.ts). */
import { z } from "zod";
import { adoptExistingId, defineResource } from "../definition";
import { lifecycle } from "./lifecycle";
import { channelInputSchema } from "./schema";

export const channel = defineResource({
  kind: "channel",
  name: "WebMessagingChannel",
  description: "A Genesys Cloud web messaging channel (brand).",
  inputs: channelInputSchema,
  extraInputs: { adoptExistingId },
  outputs: {
    brandId: z.string().describe("The channel's id in Genesys Cloud (pass it to a LoadBalancerWebhook)."),
    status: z.string().describe("The channel's status as the API reports it."),
    healthStatus: z.string().describe("The last health probe: active, degraded, unreachable or unknown."),
    selfUri: z.string().describe("The channel's API address."),
  },
  lifecycle,
});
