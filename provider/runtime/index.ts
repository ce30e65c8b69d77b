/**
 * The provider's implementation as the Pulumi engine reaches it. The small provider objects that
 * Pulumi serialises into the state only load this module by name and delegate to it, so the state
 * stays small and `read`/`delete` of old resources run the code installed today.
 */
import { configureFromSource, currentContext } from "./context";
import { checkChannel, createChannel, deleteChannel, diffChannel, readChannel, updateChannel, type ChannelInputs } from "./channel";
import { checkWebhook, createWebhook, deleteWebhook, diffWebhook, readWebhook, updateWebhook, type WebhookInputs } from "./webhook";

export interface ConfigLike {
  get(key: string): string | undefined;
}

export function configure(config: ConfigLike): void {
  configureFromSource((key) => config.get(key));
}

export const channel = {
  check: (olds: Record<string, unknown>, news: Record<string, unknown>) => checkChannel(currentContext(), news, olds),
  diff: async (_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) => diffChannel(olds, news),
  create: (inputs: Record<string, unknown>) => createChannel(currentContext(), inputs as unknown as ChannelInputs),
  read: (id: string, props: Record<string, unknown>) => readChannel(currentContext(), id, props),
  update: (id: string, _olds: Record<string, unknown>, news: Record<string, unknown>) =>
    updateChannel(currentContext(), id, news as unknown as ChannelInputs),
  delete: (id: string, props: Record<string, unknown>) => deleteChannel(currentContext(), id, props),
};

export const webhook = {
  check: (_olds: Record<string, unknown>, news: Record<string, unknown>) => checkWebhook(currentContext(), news),
  diff: async (_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) => diffWebhook(olds, news),
  create: (inputs: Record<string, unknown>) => createWebhook(currentContext(), inputs as unknown as WebhookInputs),
  read: (id: string, props: Record<string, unknown>) => readWebhook(currentContext(), id, props),
  update: (id: string, olds: Record<string, unknown>, news: Record<string, unknown>) =>
    updateWebhook(currentContext(), id, olds, news as unknown as WebhookInputs),
  delete: (id: string, props: Record<string, unknown>) => deleteWebhook(currentContext(), id, props),
};
