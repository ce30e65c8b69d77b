/**
 * One table of lifecycles per runtime context: the dynamic provider's (one per process, from stack
 * config) and each provider instance of the plugin (provider/plugin) run the same code through it.
 */
import type { RuntimeContext } from "./context";
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

type Props = Record<string, unknown>;

/** The six operations of one resource kind, as the engine calls them (the dynamic provider's shapes). */
export interface Lifecycle {
  check(olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }>;
  diff(
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace?: boolean; diffs?: string[] }>;
  create(inputs: Props): Promise<{ id: string; outs: object }>;
  read(id: string, props: Props): Promise<{ id: string; props?: object; inputs?: object }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs: object }>;
  delete(id: string, props: Props): Promise<void>;
}

/** Every resource kind's lifecycle, each call run in the context `ctx()` gives at that moment. */
export function lifecycles(ctx: () => RuntimeContext) {
  return {
    channel: {
      check: (olds, news) => checkChannel(ctx(), news, olds),
      diff: async (_id, olds, news) => diffChannel(olds, news),
      create: (inputs) => createChannel(ctx(), inputs as unknown as ChannelInputs),
      read: (id, props) => readChannel(ctx(), id, props),
      update: (id, _olds, news) => updateChannel(ctx(), id, news as unknown as ChannelInputs),
      delete: (id, props) => deleteChannel(ctx(), id, props),
    },
    webhook: {
      check: (_olds, news) => checkWebhook(ctx(), news),
      diff: async (_id, olds, news) => diffWebhook(olds, news),
      create: (inputs) => createWebhook(ctx(), inputs as unknown as WebhookInputs),
      read: (id, props) => readWebhook(ctx(), id, props),
      update: (id, olds, news) => updateWebhook(ctx(), id, olds, news as unknown as WebhookInputs),
      delete: (id, props) => deleteWebhook(ctx(), id, props),
    },
    webDeploymentConfiguration: {
      check: (_olds, news) => checkConfiguration(ctx(), news),
      diff: async (_id, olds, news) => diffConfiguration(olds, news),
      create: (inputs) => createConfiguration(ctx(), inputs),
      read: (id, props) => readConfiguration(ctx(), id, props),
      update: (id, _olds, news) => updateConfiguration(ctx(), id, news),
      delete: (id, props) => deleteConfiguration(ctx(), id, props),
    },
    webDeployment: {
      check: (_olds, news) => checkDeployment(ctx(), news),
      diff: async (_id, olds, news) => diffDeployment(olds, news),
      create: (inputs) => createDeployment(ctx(), inputs),
      read: (id, props) => readDeployment(ctx(), id, props),
      update: (id, _olds, news) => updateDeployment(ctx(), id, news),
      delete: (id, props) => deleteDeployment(ctx(), id, props),
    },
  } satisfies Record<string, Lifecycle>;
}

export type ResourceKind = keyof ReturnType<typeof lifecycles>;
