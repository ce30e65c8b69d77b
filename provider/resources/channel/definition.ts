/**
 * The WebMessagingChannel resource (see ../definition.ts). Its schema and lifecycle still live in
 * provider/validation and provider/runtime/channel.ts; they move into this folder next.
 */
import { z } from "zod";
import {
  checkChannel,
  createChannel,
  deleteChannel,
  diffChannel,
  readChannel,
  updateChannel,
  type ChannelInputs,
} from "../../runtime/channel";
import { channelInputSchema } from "../../validation/schema";
import { adoptExistingId, defineResource } from "../definition";

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
  lifecycle: {
    check: (ctx, olds, news) => checkChannel(ctx, news, olds),
    diff: (_id, olds, news) => diffChannel(olds, news),
    create: (ctx, inputs) => createChannel(ctx, inputs as unknown as ChannelInputs),
    read: (ctx, id, props) => readChannel(ctx, id, props),
    update: (ctx, id, _olds, news) => updateChannel(ctx, id, news as unknown as ChannelInputs),
    delete: (ctx, id, props) => deleteChannel(ctx, id, props),
  },
});
