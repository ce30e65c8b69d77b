/**
 * Turns channel declarations into resources: one WebMessagingChannel each and, when the stack
 * names a load balancer callback, one LoadBalancerWebhook per channel that depends on it.
 */
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { LoadBalancerWebhook, WebMessagingChannel, type WebMessagingChannelArgs } from "../provider";

export interface ChannelDeclaration extends Omit<WebMessagingChannelArgs, "name"> {
  /** The Pulumi logical name (stable; renaming it replaces the resource). */
  resourceName: string;
  name: string;
}

export interface DeployedChannel {
  name: pulumi.Output<string>;
  brandId: pulumi.Output<string>;
  endpointUrl: pulumi.Output<string>;
  healthStatus: pulumi.Output<string>;
  webhookId?: pulumi.Output<string>;
}

export interface ProgramSettings {
  /** Load balancer sync endpoint; no webhooks without it. */
  callbackUrl?: string;
  webhookRetryCount?: number;
  webhookRetryInterval?: number;
}

export function readDeclarationsFile(file: string): ChannelDeclaration[] {
  const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
  if (!Array.isArray(parsed)) throw new Error(`${file}: expected a JSON array of channel declarations`);
  return parsed as ChannelDeclaration[];
}

export function deployChannels(declarations: ChannelDeclaration[], settings: ProgramSettings = {}): Record<string, DeployedChannel> {
  const seen = new Set<string>();
  const result: Record<string, DeployedChannel> = {};
  for (const { resourceName, ...args } of declarations) {
    if (seen.has(resourceName)) throw new Error(`two channels are declared with resourceName "${resourceName}"; make them unique`);
    seen.add(resourceName);
    const channel = new WebMessagingChannel(resourceName, args);
    const deployed: DeployedChannel = {
      name: channel.name,
      brandId: channel.brandId,
      endpointUrl: channel.endpointUrl,
      healthStatus: channel.healthStatus,
    };
    if (settings.callbackUrl) {
      const hook = new LoadBalancerWebhook(`${resourceName}-lb-sync`, {
        name: `lb-sync-${resourceName}`,
        brandId: channel.brandId,
        callbackUrl: settings.callbackUrl,
        deliveryPolicy: { retryCount: settings.webhookRetryCount ?? 3, retryInterval: settings.webhookRetryInterval ?? 60 },
      });
      deployed.webhookId = hook.webhookId;
    }
    result[resourceName] = deployed;
  }
  return result;
}
