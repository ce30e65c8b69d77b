/**
 * The Pulumi program. Channels come from ./channels.ts, or from a JSON file when the stack sets
 * `channelsFile` (handy for signed definitions kept as JSON).
 */
import * as pulumi from "@pulumi/pulumi";
import { channels as declared } from "./channels";
import { deployChannels, readDeclarationsFile } from "./program";

const config = new pulumi.Config();
const lb = new pulumi.Config("lb");
const channelsFile = config.get("channelsFile");

export const channels = deployChannels(channelsFile ? readDeclarationsFile(channelsFile) : declared, {
  callbackUrl: lb.get("callbackUrl"),
  webhookRetryCount: lb.getNumber("retryCount"),
  webhookRetryInterval: lb.getNumber("retryInterval"),
});
