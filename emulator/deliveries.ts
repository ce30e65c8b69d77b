import { createHmac, randomUUID } from "node:crypto";
import { isoNow, type EmulatorClock } from "./clock";
import type { WebhookEventType } from "./contract";
import type { Brand, DeliveryAttempt, Webhook } from "./model";
import type { Store } from "./persistence/store";

const ATTEMPT_TIMEOUT_MS = 5000;

export function signDelivery(secret: string, timestamp: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex")}`;
}

function matches(webhook: Webhook, eventType: WebhookEventType, brandId: string): boolean {
  return (
    webhook.enabled && webhook.eventFilters.some((f) => f.eventType === eventType && (f.brandId === undefined || f.brandId === brandId))
  );
}

interface Job {
  deliveryId: string;
  webhookId: string;
  eventType: WebhookEventType;
  brandId: string;
  body: string;
}

/**
 * Sends brand events to matching webhooks. Each webhook has its own serial queue, so a receiver sees its
 * events in the order they happened even while an earlier one is being retried; the API response never
 * waits for any of it.
 */
export class DeliveryDispatcher {
  private readonly queues = new Map<string, Promise<void>>();
  private abort = new AbortController();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly intervalScale: number,
    private readonly clock: EmulatorClock,
    private readonly warn: (message: string) => void,
  ) {}

  /** Called right after the brand change commits; the matching set is fixed at event time. */
  emit(eventType: WebhookEventType, brand: Brand): void {
    if (this.closed) return;
    const timestamp = isoNow(this.clock);
    for (const { webhook } of this.store.allWebhooks()) {
      if (!matches(webhook, eventType, brand.id)) continue;
      const deliveryId = randomUUID();
      const body = JSON.stringify({
        id: deliveryId,
        eventType,
        timestamp,
        brand: {
          id: brand.id,
          name: brand.name,
          endpointUrl: brand.endpointUrl,
          allowedOrigins: brand.allowedOrigins,
          status: brand.status,
          healthStatus: brand.settings.healthStatus,
        },
      });
      const job: Job = { deliveryId, webhookId: webhook.id, eventType, brandId: brand.id, body };
      const signal = this.abort.signal;
      // A delivery that throws must neither stall the webhook's queue nor leave it marked busy for idle().
      const tail = (this.queues.get(webhook.id) ?? Promise.resolve())
        .then(() => this.deliver(job, signal))
        .catch((err: unknown) => this.warn(`webhook ${job.webhookId}: delivery ${job.deliveryId} failed: ${describe(err)}`));
      this.queues.set(webhook.id, tail);
      void tail.then(() => {
        if (this.queues.get(webhook.id) === tail) this.queues.delete(webhook.id);
      });
    }
  }

  /**
   * Resolves once no delivery is queued or in flight, retries included: the delivery log has reached its
   * final state for every event emitted so far (an API call emits before it answers).
   */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.allSettled([...this.queues.values()]);
  }

  /** The most recent delivery attempts, oldest first. */
  recent(limit: number): DeliveryAttempt[] {
    return this.store.listDeliveries(limit);
  }

  /** Abandons queued and in-flight deliveries (admin reset). */
  cancelAll(): void {
    this.abort.abort();
    this.abort = new AbortController();
    this.queues.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = [...this.queues.values()];
    this.cancelAll();
    await Promise.allSettled(pending);
  }

  private async deliver(job: Job, signal: AbortSignal): Promise<void> {
    for (let attempt = 1; !signal.aborted; attempt++) {
      // Read the webhook at each attempt: a deleted or disabled webhook stops receiving, a rotated secret applies.
      const current = this.store.getWebhook(job.webhookId);
      if (!current || !current.webhook.enabled) return;
      const { webhook, secret } = current;
      const ok = await this.attempt(job, attempt, webhook.uri, secret, signal);
      if (ok || signal.aborted) return;
      if (attempt > webhook.deliveryPolicy.retryCount) {
        this.warn(`webhook ${job.webhookId}: delivery ${job.deliveryId} failed after ${attempt} attempt(s)`);
        return;
      }
      await this.clock.sleep(webhook.deliveryPolicy.retryInterval * this.intervalScale * 1000, signal);
    }
  }

  private async attempt(job: Job, attempt: number, uri: string, secret: string | null, signal: AbortSignal): Promise<boolean> {
    // A fresh timestamp per attempt: receivers reject stale ones, and a retry minutes later must still pass.
    const timestamp = String(Math.floor(this.clock.now() / 1000));
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "genesys-emulator-webhooks",
      "x-genesys-webhook-id": job.webhookId,
      "x-genesys-delivery-id": job.deliveryId,
      "x-genesys-timestamp": timestamp,
    };
    if (secret !== null) headers["x-genesys-signature"] = signDelivery(secret, timestamp, job.body);
    const startedAt = isoNow(this.clock);
    // The attempt's duration is a measurement of the real exchange, not a reading of the (maybe driven) clock.
    const started = performance.now();
    let status: number | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(uri, {
        method: "POST",
        headers,
        body: job.body,
        redirect: "manual",
        signal: AbortSignal.any([signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
      });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
    } catch (err) {
      error = describe(err);
    }
    if (signal.aborted) return false;
    this.store.appendDelivery({
      id: job.deliveryId,
      webhookId: job.webhookId,
      eventType: job.eventType,
      brandId: job.brandId,
      attempt,
      ...(status !== undefined ? { status } : { error: error ?? "unknown error" }),
      time: startedAt,
      durationMs: Math.round(performance.now() - started),
    });
    return status !== undefined && status >= 200 && status < 300;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const code = typeof cause === "object" && cause !== null ? (cause as { code?: string }).code : undefined;
    return code ? `${err.message} (${code})` : err.name === "TimeoutError" ? "timed out" : err.message;
  }
  return String(err);
}
