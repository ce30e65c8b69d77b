/**
 * The LoadBalancerWebhook's declared inputs, validated like a channel's: one zod schema with a
 * message per rule that names the fix, every failure reported at once, defaults applied in one place.
 * Whether the callback's address may be reached (DNS, private networks) is checked at create and
 * update, not here: this stays free of network calls so `pulumi preview` can run it.
 */
import { z } from "zod";
import type { ValidationResult } from "../../validation/issues";
import { WEBHOOK_EVENT_TYPES, WEBHOOK_LIMITS } from "../../validation/limits";
import { isLoopbackHost } from "../../validation/loopback";
import { parseIssues } from "../../validation/zod-issues";

/** What an undeclared webhook field becomes; the stack program falls back to the same values. */
export const WEBHOOK_DEFAULTS = {
  eventTypes: [...WEBHOOK_EVENT_TYPES],
  deliveryPolicy: { retryCount: 3, retryInterval: 60 },
  enabled: true,
} as const;

const EVENT_LIST = WEBHOOK_EVENT_TYPES.join(", ");

function policyField(key: keyof typeof WEBHOOK_LIMITS) {
  const { min, max } = WEBHOOK_LIMITS[key];
  const message = (input: unknown) => `must be a whole number from ${min} to ${max} (got ${JSON.stringify(input)})`;
  return z
    .number({ error: (iss) => message(iss.input) })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, { error: (iss) => message(iss.input) })
    .default(WEBHOOK_DEFAULTS.deliveryPolicy[key]);
}

const callbackUrl = z.string({ error: "must be an https:// URL (http:// only to localhost)" }).superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: "custom", message: `"${value}" is not a URL; use e.g. https://lb.example.com/api/sync` });
    return;
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    ctx.addIssue({ code: "custom", message: `must use https (http only to localhost); got ${url.protocol}` });
  }
  if (url.username || url.password) {
    ctx.addIssue({ code: "custom", message: "must not carry credentials; the webhook secret signs deliveries instead" });
  }
});

const eventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { error: (iss) => `unknown event type "${String(iss.input)}"; use one of ${EVENT_LIST}` }), {
    error: `must be a non-empty list of ${EVENT_LIST}`,
  })
  .min(1, { error: `must be a non-empty list of ${EVENT_LIST}` })
  .refine((list) => new Set(list).size === list.length, { error: "lists an event type twice; remove the duplicate" })
  .default(() => [...WEBHOOK_DEFAULTS.eventTypes]);

export const webhookInputSchema = z.strictObject({
  name: z
    .string({ error: "must be a string of 1 to 128 characters" })
    .min(1, { error: "must be a string of 1 to 128 characters" })
    .max(128, { error: "must be a string of 1 to 128 characters" })
    .describe("Unique webhook name, 1..128 characters."),
  brandId: z
    .string({ error: "must be the id of a channel (pass channel.brandId)" })
    .min(1, { error: "must be the id of a channel (pass channel.brandId)" })
    .describe("The channel whose events are delivered: pass the channel's brandId so the engine orders them."),
  callbackUrl: callbackUrl.describe("Where the load balancer's sync service receives deliveries (https; plain http only to localhost)."),
  eventTypes: eventTypes.describe("Default: webchat.brand.created, webchat.brand.updated and webchat.brand.deleted."),
  deliveryPolicy: z
    .strictObject({
      retryCount: policyField("retryCount").describe("Retries of a failed delivery, 0..10; default 3."),
      retryInterval: policyField("retryInterval").describe("Seconds between retries, 1..3600; default 60."),
    })
    .default({ ...WEBHOOK_DEFAULTS.deliveryPolicy })
    .describe("Retries of a failed delivery; default 3 retries, 60 s apart."),
  enabled: z.boolean({ error: "must be true or false" }).default(WEBHOOK_DEFAULTS.enabled).describe("Deliver events (default true)."),
});

/** A webhook definition as the validator returns it: defaults applied, eventTypes sorted. */
export type WebhookDefinition = z.output<typeof webhookInputSchema>;

/**
 * Validates declared webhook inputs. Keys starting with "__" are Pulumi's own (the serialised
 * provider) and are ignored; null counts as not set, as Pulumi passes it for an unset optional input.
 */
export function validateWebhook(raw: Record<string, unknown>): ValidationResult<WebhookDefinition> {
  const declared = Object.fromEntries(Object.entries(raw).filter(([key, value]) => !key.startsWith("__") && value !== null));
  const { parsed, issues } = parseIssues(webhookInputSchema, declared, { rootName: "a load balancer webhook" });
  if (!parsed.success) return { ok: false, issues };
  // Sorted, so the order they were declared in never shows as a change.
  return { ok: true, value: { ...parsed.data, eventTypes: [...parsed.data.eventTypes].sort() } };
}
