/**
 * Enrolment deliveries from the provider to the load balancer. Genesys only reports changes that
 * happen after a webhook exists, but a LoadBalancerWebhook is created after its channel (it needs
 * the channel's id) and deleted before it. So the webhook resource is the channel's membership in
 * the pool: creating it sends the channel's current state, deleting it sends a removal, both in
 * exactly the format, headers and signature that Genesys deliveries use.
 */
import { createHmac, randomUUID } from "node:crypto";
import axios from "axios";
import type { Brand } from "../genesys";

export type EnrolmentEvent = "webchat.brand.updated" | "webchat.brand.deleted";

export interface EnrolmentOptions {
  callbackUrl: string;
  webhookId: string;
  secret?: string;
  attempts?: number;
  sleep: (ms: number) => Promise<void>;
}

export async function sendEnrolment(brand: Brand, eventType: EnrolmentEvent, opts: EnrolmentOptions): Promise<void> {
  const deliveryId = randomUUID();
  const body = JSON.stringify({
    id: deliveryId,
    eventType,
    timestamp: new Date().toISOString(),
    brand: {
      id: brand.id,
      name: brand.name,
      endpointUrl: brand.endpointUrl,
      allowedOrigins: brand.allowedOrigins,
      status: brand.status,
      healthStatus: brand.settings.healthStatus,
    },
  });
  const attempts = opts.attempts ?? 5;
  let lastError = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // A fresh timestamp per attempt keeps a retried delivery inside the receiver's window.
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "X-Genesys-Webhook-Id": opts.webhookId,
      "X-Genesys-Delivery-Id": deliveryId,
      "X-Genesys-Timestamp": timestamp,
    };
    if (opts.secret)
      headers["X-Genesys-Signature"] = "sha256=" + createHmac("sha256", opts.secret).update(`${timestamp}.${body}`).digest("hex");
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
    `the load balancer at ${opts.callbackUrl} did not accept the ${eventType === "webchat.brand.deleted" ? "removal" : "enrolment"} ` +
      `of channel "${brand.name}" (${lastError}); check that it is running and shares genesys:webhookSecret`,
  );
}
