/**
 * The provider's implementation as the Pulumi engine reaches it. The small provider objects that
 * Pulumi serialises into the state only load this module by name and delegate to it, so the state
 * stays small and `read`/`delete` of old resources run the code installed today.
 */
import { makeStringScrubber, scrubError } from "../audit/redact";
import { secretsOf } from "../config";
import { configureFromSource, configuredContext, currentContext } from "./context";
import { checkChannel, createChannel, deleteChannel, diffChannel, readChannel, updateChannel, type ChannelInputs } from "./channel";
import { checkWebhook, createWebhook, deleteWebhook, diffWebhook, readWebhook, updateWebhook, type WebhookInputs } from "./webhook";
import {
  checkConfiguration,
  createConfiguration,
  deleteConfiguration,
  diffConfiguration,
  readConfiguration,
  updateConfiguration,
} from "./web-deployment-configuration";
import { checkDeployment, createDeployment, deleteDeployment, diffDeployment, readDeployment, updateDeployment } from "./web-deployment";

export interface ConfigLike {
  get(key: string): string | undefined;
}

/**
 * The scrubber for errors on their way to the engine: the configured stack's secrets, plus the
 * credential patterns. Before a configuration loads (its own errors) only the patterns apply.
 */
function engineScrubber(): (s: string) => string {
  const ctx = configuredContext();
  return makeStringScrubber(ctx ? secretsOf(ctx.config) : []);
}

/**
 * Every method the engine calls goes through here, so no error reaches the engine's text (the CLI's
 * diagnostics, its logs) with a secret in its message or stack, whichever layer made it.
 */
function toEngine<A extends unknown[], R>(method: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await method(...args);
    } catch (err) {
      throw scrubError(err, engineScrubber());
    }
  };
}

/** Wraps every method of one resource kind's implementation (see toEngine). */
function engineFacing<T extends Record<string, (...args: never[]) => unknown>>(methods: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(methods)) wrapped[name] = toEngine(method as (...args: unknown[]) => unknown);
  return wrapped as T;
}

export function configure(config: ConfigLike): void {
  try {
    configureFromSource((key) => config.get(key));
  } catch (err) {
    throw scrubError(err, engineScrubber());
  }
}

export const channel = engineFacing({
  check: (olds: Record<string, unknown>, news: Record<string, unknown>) => checkChannel(currentContext(), news, olds),
  diff: async (_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) => diffChannel(olds, news),
  create: (inputs: Record<string, unknown>) => createChannel(currentContext(), inputs as unknown as ChannelInputs),
  read: (id: string, props: Record<string, unknown>) => readChannel(currentContext(), id, props),
  update: (id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) =>
    updateChannel(currentContext(), id, news as unknown as ChannelInputs),
  delete: (id: string, props: Record<string, unknown>) => deleteChannel(currentContext(), id, props),
});

export const webhook = engineFacing({
  check: (_olds: Record<string, unknown>, news: Record<string, unknown>) => checkWebhook(currentContext(), news),
  diff: async (_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) => diffWebhook(olds, news),
  create: (inputs: Record<string, unknown>) => createWebhook(currentContext(), inputs as unknown as WebhookInputs),
  read: (id: string, props: Record<string, unknown>) => readWebhook(currentContext(), id, props),
  update: (id: string, olds: Record<string, unknown>, news: Record<string, unknown>) =>
    updateWebhook(currentContext(), id, olds, news as unknown as WebhookInputs),
  delete: (id: string, props: Record<string, unknown>) => deleteWebhook(currentContext(), id, props),
});

export const webDeploymentConfiguration = engineFacing({
  check: (_olds: Record<string, unknown>, news: Record<string, unknown>) => checkConfiguration(currentContext(), news),
  diff: async (_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) => diffConfiguration(olds, news),
  create: (inputs: Record<string, unknown>) => createConfiguration(currentContext(), inputs),
  read: (id: string, props: Record<string, unknown>) => readConfiguration(currentContext(), id, props),
  update: (id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) => updateConfiguration(currentContext(), id, news),
  delete: (id: string, props: Record<string, unknown>) => deleteConfiguration(currentContext(), id, props),
});

export const webDeployment = engineFacing({
  check: (_olds: Record<string, unknown>, news: Record<string, unknown>) => checkDeployment(currentContext(), news),
  diff: async (_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) => diffDeployment(olds, news),
  create: (inputs: Record<string, unknown>) => createDeployment(currentContext(), inputs),
  read: (id: string, props: Record<string, unknown>) => readDeployment(currentContext(), id, props),
  update: (id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) => updateDeployment(currentContext(), id, news),
  delete: (id: string, props: Record<string, unknown>) => deleteDeployment(currentContext(), id, props),
});
