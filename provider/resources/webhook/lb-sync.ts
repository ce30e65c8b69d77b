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
 *
 * The POST goes through the transport's outbound call (the one single send and retry wrapper) and
 * connects only to addresses the SSRF rules allow, judged when each attempt connects: a callback
 * name that resolved to a public address for the create/update check and to 127.0.0.1 a moment
 * later is refused, not delivered to.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { CallTrace, RetryPolicy } from "../../genesys";
import { GenesysApiError } from "../../genesys/errors";
import { traced } from "../../genesys/recording";
import { outboundCall } from "../../genesys/transport";
import { ADDRESS_REFUSED, checkedLookup } from "../../validation/checked-lookup";
import type { Resolver } from "../../validation/network";
import type { Brand } from "../channel/api";

export type EnrolmentKind = "enrol" | "remove";

export interface EnrolmentOptions {
  callbackUrl: string;
  webhookId: string;
  secret?: string;
  /** Why the provider sends it (shown to the load balancer, e.g. "webhook created"). */
  reason: string;
  /** When the channel's state in `brand` was read (ms); a removal is stamped with its sending time. */
  observedAt?: number;
  /** The stack's SSRF setting and resolver, applied to every connection to the callback. */
  allowPrivateNetworks: boolean;
  resolver?: Resolver;
  /** The operation's trace: the delivery's attempts count in its audit record. */
  trace?: CallTrace;
  sleep: (ms: number) => Promise<void>;
}

/**
 * Five attempts, a few seconds apart at most, each with a 5 s timeout: a load balancer that is down
 * fails the step in bounded time and the next `up` tries again. A 4xx other than 429 is the load
 * balancer refusing the delivery (a wrong secret), which a resend cannot change.
 */
const ENROLMENT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxThrottledAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  fallbackRetryAfterMs: 1_000,
  retryAfterCapMs: 4_000,
  budgetMs: 60_000,
  timeoutMs: 5_000,
};

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
  const what = `${kind === "remove" ? "removal" : "enrolment"} of channel "${brand.name}"`;
  const call = outboundCall({
    lookup: checkedLookup({ allowPrivateNetworks: opts.allowPrivateNetworks, resolver: opts.resolver, field: "callbackUrl" }),
    policy: ENROLMENT_RETRY_POLICY,
    hostSetting: "callbackUrl",
    sleep: opts.sleep,
    // The whole backoff ceiling each time (0.25, 0.5, 1, 2 s): a restarting load balancer gets the
    // same ~4 s it always had, which full jitter would halve on average.
    random: () => 1,
  });
  // A fresh timestamp per attempt keeps a retried delivery inside the receiver's window.
  const headersFor = (): Record<string, string> => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    return {
      "Content-Type": "application/json",
      "X-Genesys-Webhook-Id": opts.webhookId,
      "X-Genesys-Delivery-Id": delivery.id,
      "X-Genesys-Timestamp": timestamp,
      ...(opts.secret ? { "X-Genesys-Signature": signEnrolment(opts.secret, timestamp, body) } : {}),
    };
  };
  const unaccepted = (reason: string, cause?: unknown) =>
    new Error(
      `the load balancer at ${opts.callbackUrl} did not accept the ${what} (${reason}); ` +
        `check that it is running and shares genesys:webhookSecret`,
      { cause },
    );
  const operation = `send the ${what} to ${opts.callbackUrl}`;
  let res;
  try {
    res = await traced(opts.trace, () =>
      call({
        // The same delivery id on every attempt lets the load balancer drop a duplicate.
        spec: { operation, method: "POST", path: "", idempotent: true },
        baseUrl: opts.callbackUrl,
        headers: headersFor,
        body,
      }),
    );
  } catch (err) {
    if (err instanceof GenesysApiError && err.code === ADDRESS_REFUSED) {
      const why = err.message.slice(`${operation} failed: `.length);
      throw new Error(`the ${what} was not sent to ${opts.callbackUrl}: ${why}`, { cause: err });
    }
    throw unaccepted((err as { code?: string }).code ?? "network error", err);
  }
  if (res.status < 200 || res.status >= 300) throw unaccepted(`HTTP ${res.status}`);
}
