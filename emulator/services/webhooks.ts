import { randomUUID } from "node:crypto";
import { isoNow, type EmulatorClock } from "../clock";
import { webhookNameTaken, webhookNotFound } from "../errors";
import type { Webhook } from "../model";
import type { Page, Store } from "../persistence/store";
import { checkBodyId, parseWebhook, requireObjectBody } from "../validation";

export const WEBHOOKS = "/api/v2/webhooks/webhooks";

/** The stored webhook: the client's definition plus what the server owns. */
function toWebhook(
  input: ReturnType<typeof parseWebhook>,
  owned: Pick<Webhook, "id" | "hasSecret" | "dateCreated" | "dateModified" | "selfUri">,
): Webhook {
  return {
    id: owned.id,
    name: input.name,
    uri: input.uri,
    eventFilters: input.eventFilters,
    type: input.type,
    enabled: input.enabled,
    deliveryPolicy: input.deliveryPolicy,
    hasSecret: owned.hasSecret,
    dateCreated: owned.dateCreated,
    dateModified: owned.dateModified,
    selfUri: owned.selfUri,
  };
}

/** Webhooks: definitions with a write-only signing secret. */
export class WebhooksService {
  constructor(
    private readonly store: Store,
    private readonly clock: EmulatorClock,
  ) {}

  create(body: unknown): Webhook {
    const input = parseWebhook(body);
    const now = isoNow(this.clock);
    const id = randomUUID();
    const secret = input.secret ?? null;
    const webhook = toWebhook(input, { id, hasSecret: secret !== null, dateCreated: now, dateModified: now, selfUri: `${WEBHOOKS}/${id}` });
    if (this.store.insertWebhook(webhook, secret) === "name-taken") throw webhookNameTaken(webhook.name);
    return webhook;
  }

  list(query: { name?: string; offset: number; limit: number }): Page<Webhook> {
    return this.store.listWebhooks(query);
  }

  get(id: string): Webhook {
    const found = this.store.getWebhook(id);
    if (!found) throw webhookNotFound(id);
    return found.webhook;
  }

  update(id: string, raw: unknown): Webhook {
    const existing = this.store.getWebhook(id);
    if (!existing) throw webhookNotFound(id);
    const body = requireObjectBody(raw);
    checkBodyId(body, id);
    const input = parseWebhook(body);
    // The secret is write-only, so a client cannot echo it back: leaving it out keeps it, null removes it.
    const secret = input.secret === undefined ? existing.secret : input.secret;
    const webhook = toWebhook(input, {
      id,
      hasSecret: secret !== null,
      dateCreated: existing.webhook.dateCreated,
      dateModified: isoNow(this.clock),
      selfUri: existing.webhook.selfUri,
    });
    const result = this.store.updateWebhook(webhook, secret);
    if (result === "name-taken") throw webhookNameTaken(webhook.name);
    if (result === "not-found") throw webhookNotFound(id);
    return webhook;
  }

  delete(id: string): void {
    if (!this.store.deleteWebhook(id)) throw webhookNotFound(id);
  }
}
