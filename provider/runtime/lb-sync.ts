/**
 * Enrolment deliveries from the provider to the load balancer. Genesys only reports changes that
 * happen after a webhook follows a channel, so whenever a LoadBalancerWebhook starts following a
 * channel at a callback (create, adoption, another brandId or callbackUrl, re-enable) the provider
 * sends that load balancer the channel's current state, and whenever it stops (delete, disable,
 * moved away) a removal. Both use exactly the format, headers and signature of a Genesys delivery,
 * plus an `enrolment` object in the signed body so a load balancer can tell them from platform
 * events.
 *
 * The state is read after the webhook already points at the load balancer, and the delivery is
 * stamped with the time that read started: any later change reaches the load balancer as a
 * platform event with a later timestamp, so ordering by timestamp never lets the enrolment undo it.
 */
import { createHmac, randomUUID } from "node:crypto";
import axios from "axios";
import type { Brand } from "../genesys";

export type EnrolmentKind = "enrol" | "remove";

export interface EnrolmentOptions {
  callbackUrl: string;
  webhookId: string;
  secret?: string;
  /** Why the provider sends it (shown to the load balancer, e.g. "webhook created"). */
  reason: string;
  /** When the channel's state in `brand` was read (ms); a removal is stamped with its sending time. */
  observedAt?: number;
  attempts?: number;
  sleep: (ms: number) => Promise<void>;
}

/** The X-Genesys-Signature value: HMAC-SHA256 of "timestamp.body", as Genesys signs deliveries. */
export function signEnrolment(secret: string, timestamp: string, body: string): string {
  return "sha256=" + createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

function enrolmentBody(brand: Brand, kind: EnrolmentKind, opts: Pick<EnrolmentOptions, "webhookId" | "reason" | "observedAt">) {
  return {
    id: randomUUID(),
    eventType: kind === "remove" ? "webchat.brand.deleted" : "webchat.brand.updated",
    timestamp: new Date(opts.observedAt ?? Date.now()).toISOString(),
    brand: {
      id: brand.id,
      name: brand.name,
      endpointUrl: brand.endpointUrl,
      allowedOrigins: brand.allowedOrigins,
      status: brand.status,
      healthStatus: brand.settings.healthStatus,
    },
    enrolment: { webhookId: opts.webhookId, reason: opts.reason },
  };
}

export async function sendEnrolment(brand: Brand, kind: EnrolmentKind, opts: EnrolmentOptions): Promise<void> {
  const delivery = enrolmentBody(brand, kind, opts);
  const body = JSON.stringify(delivery);
  const attempts = opts.attempts ?? 5;
  let lastError = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // A fresh timestamp per attempt keeps a retried delivery inside the receiver's window.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "X-Genesys-Webhook-Id": opts.webhookId,
      "X-Genesys-Delivery-Id": delivery.id,
      "X-Genesys-Timestamp": timestamp,
    };
    if (opts.secret) headers["X-Genesys-Signature"] = signEnrolment(opts.secret, timestamp, body);
    try {
      const res = await axios.post(opts.callbackUrl, body, { headers, timeout: 5_000, maxRedirects: 0, validateStatus: () => true });
      if (res.status >= 200 && res.status < 300) return;
      lastError = `HTTP ${res.status}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 429) break; // refused: retrying will not help
    } catch (err) {
      lastError = (err as { code?: string }).code ?? "network error";
    }
    if (attempt < attempts) await opts.sleep(Math.min(4_000, 250 * 2 ** (attempt - 1)));
  }
  throw new Error(
    `the load balancer at ${opts.callbackUrl} did not accept the ${kind === "remove" ? "removal" : "enrolment"} ` +
      `of channel "${brand.name}" (${lastError}); check that it is running and shares genesys:webhookSecret`,
  );
}
