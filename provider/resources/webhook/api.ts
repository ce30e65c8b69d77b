/**
 * Webhook calls, typed. Lifecycle -> HTTP:
 *   create   POST   /api/v2/webhooks/webhooks        (unknown outcome -> look up by name, never a blind resend)
 *   find     GET    /api/v2/webhooks/webhooks?name=
 *   get      GET    /api/v2/webhooks/webhooks/{id}   (404 -> undefined)
 *   update   PUT    /api/v2/webhooks/webhooks/{id}
 *   delete   DELETE /api/v2/webhooks/webhooks/{id}   (404 -> already gone)
 * The signing secret is write-only: sent on create/update, never returned.
 */
import { deletedUnlessGone, unlessNotFound } from "../../genesys/errors";
import { findByNameFilter } from "../../genesys/find-by-name";
import { PATHS } from "../../genesys/paths";
import type { CallTrace, Transport } from "../../genesys/transport";
import { createByUniqueName } from "../../genesys/unique-create";
import type { WebhookEventType } from "../../validation/limits";

export interface WebhookSpec {
  name: string;
  uri: string;
  eventFilters: { eventType: WebhookEventType; brandId?: string }[];
  type: "rest";
  enabled: boolean;
  deliveryPolicy: { retryCount: number; retryInterval: number };
  secret?: string;
}

export interface Webhook extends Omit<WebhookSpec, "secret"> {
  id: string;
  hasSecret?: boolean;
}

export class WebhooksApi {
  constructor(private readonly transport: Transport) {}

  /**
   * Creates a webhook. When the POST's outcome is unknown (reset, timeout, 5xx) it may have been
   * applied: the webhook is looked up by its unique name and returned as recovered rather than
   * created twice. The caller decides whether a recovered webhook is really its own.
   */
  async create(spec: WebhookSpec, trace?: CallTrace): Promise<{ webhook: Webhook; recovered: boolean }> {
    const operation = `create webhook "${spec.name}"`;
    const { created, recovered } = await createByUniqueName(
      async () => (await this.transport.request<Webhook>({ operation, method: "POST", path: PATHS.webhooks, body: spec, trace })).data,
      () => this.findByName(spec.name, trace),
    );
    return { webhook: created, recovered };
  }

  findByName(name: string, trace?: CallTrace): Promise<Webhook | undefined> {
    return findByNameFilter<Webhook>(this.transport, "webhook", PATHS.webhooks, name, trace);
  }

  get(id: string, trace?: CallTrace): Promise<Webhook | undefined> {
    return unlessNotFound(
      async () =>
        (await this.transport.request<Webhook>({ operation: `read webhook ${id}`, method: "GET", path: PATHS.webhook(id), trace })).data,
    );
  }

  async update(id: string, spec: WebhookSpec, trace?: CallTrace): Promise<Webhook> {
    const res = await this.transport.request<Webhook>({
      operation: `update webhook "${spec.name}" (${id})`,
      method: "PUT",
      path: PATHS.webhook(id),
      body: spec,
      trace,
    });
    return res.data;
  }

  /** Returns false when the webhook was already gone. */
  delete(id: string, trace?: CallTrace): Promise<boolean> {
    return deletedUnlessGone(() =>
      this.transport.request({ operation: `delete webhook ${id}`, method: "DELETE", path: PATHS.webhook(id), trace }),
    );
  }
}
