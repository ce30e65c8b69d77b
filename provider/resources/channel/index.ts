/** The WebMessagingChannel class a Pulumi program declares, and its Args. */
import type { ArgsOf, Inputs } from "../definition";
import { resourceClass } from "../resource-class";
import { channel } from "./definition";
import type { ChannelSettingsInput } from "./schema";

/** A Genesys Cloud web messaging channel (brand). */
export const WebMessagingChannel = resourceClass(channel);
export type WebMessagingChannel = InstanceType<typeof WebMessagingChannel>;
export type WebMessagingChannelArgs = ArgsOf<typeof channel>;
export type WebMessagingChannelSettingsArgs = { [K in keyof ChannelSettingsInput]: Inputs<ChannelSettingsInput[K]> };
