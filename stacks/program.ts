/**
 * Turns channel declarations into resources: one WebMessagingChannel each and, when the stack
 * names a load balancer callback, one LoadBalancerWebhook per channel that depends on it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type ConfigSource, loadProviderConfig, projectRoot } from "../provider/config";
import { LoadBalancerWebhook, WebMessagingChannel, type WebMessagingChannelArgs } from "../provider";
import { WEBHOOK_DEFAULTS } from "../provider/resources/webhook/schema";

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

/**
 * Reads `channelsFile`. A relative path is relative to the project folder (where Pulumi.yaml is),
 * like every other path a user writes in stack config, not to the folder the program runs in.
 */
export function readDeclarationsFile(file: string, projectDir = projectRoot(process.cwd())): ChannelDeclaration[] {
  const resolved = path.resolve(projectDir, file);
  let text: string;
  try {
    text = fs.readFileSync(resolved, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new pulumi.RunError(
      `channelsFile: cannot read ${resolved} (${code}); a relative path is taken from the project folder ${projectDir}: ` +
        `run: pulumi config set channelsFile <path to a JSON array of channel declarations>`,
      { cause: err },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new pulumi.RunError(`channelsFile: ${resolved} is not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (!Array.isArray(parsed)) throw new pulumi.RunError(`channelsFile: ${resolved} must hold a JSON array of channel declarations`);
  return parsed as ChannelDeclaration[];
}

/**
 * Checks the provider settings once, in the program, before any resource is registered. The
 * provider would find the same problems, but once per resource and with a JavaScript stack trace;
 * a RunError is printed once, as its message alone. The values are read only to be checked.
 */
export function checkProviderSettings(source: ConfigSource, projectDir: string, env: NodeJS.ProcessEnv = process.env): void {
  try {
    loadProviderConfig(source, env, projectDir);
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message, { cause: err });
    throw err;
  }
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
        deliveryPolicy: {
          retryCount: settings.webhookRetryCount ?? WEBHOOK_DEFAULTS.deliveryPolicy.retryCount,
          retryInterval: settings.webhookRetryInterval ?? WEBHOOK_DEFAULTS.deliveryPolicy.retryInterval,
        },
      });
      deployed.webhookId = hook.webhookId;
    }
    result[resourceName] = deployed;
  }
  return result;
}
