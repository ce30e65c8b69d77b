/**
 * LoadBalancerWebhook lifecycle -> Genesys calls:
 *   check   validate name, callback URL scheme, event types, delivery policy     no network
 *   diff    compare; everything updates in place
 *   create  SSRF check of the callback, POST /webhooks (filtered to the brand, signed with the
 *           stack's webhook secret)
 *   read    GET /webhooks/{id}; 404 -> empty id
 *   update  SSRF check, PUT /webhooks/{id}
 *   delete  DELETE /webhooks/{id}; 404 -> already gone
 * The signing secret comes from stack config (genesys:webhookSecret), never from inputs or state.
 */
import { type Brand, type CallTrace, GenesysApiError, type Webhook, type WebhookSpec } from "../genesys";
import { checkEndpointAddress, formatIssues, type ValidationIssue } from "../validation";
import { WEBHOOK_EVENT_TYPES, WEBHOOK_LIMITS } from "../validation/limits";
import { type RuntimeContext, audited } from "./context";
import { sendEnrolment } from "./lb-sync";
import type { CheckFailure } from "./channel";

export const WEBHOOK_TYPE = "genesys:LoadBalancerWebhook";

export interface WebhookInputs {
  name: string;
  brandId: string;
  callbackUrl: string;
  eventTypes: string[];
  deliveryPolicy: { retryCount: number; retryInterval: number };
  enabled: boolean;
}

export interface WebhookOutputs extends WebhookInputs {
  webhookId: string;
  signed: boolean;
}

const DEFAULT_EVENTS = [...WEBHOOK_EVENT_TYPES];
const KNOWN_KEYS = new Set(["name", "brandId", "callbackUrl", "eventTypes", "deliveryPolicy", "enabled"]);

export function validateWebhook(raw: Record<string, unknown>): { value?: WebhookInputs; issues: ValidationIssue[] } {
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(raw)) {
    if (!key.startsWith("__") && !KNOWN_KEYS.has(key))
      issues.push({ path: key, message: `unknown property; remove it (known: ${[...KNOWN_KEYS].join(", ")})` });
  }
  const name = raw.name;
  if (typeof name !== "string" || name.length < 1 || name.length > 128)
    issues.push({ path: "name", message: "must be a string of 1 to 128 characters" });
  const brandId = raw.brandId;
  if (typeof brandId !== "string" || brandId === "")
    issues.push({ path: "brandId", message: "must be the id of a channel (pass channel.brandId)" });
  const callbackUrl = raw.callbackUrl;
  if (typeof callbackUrl !== "string") {
    issues.push({ path: "callbackUrl", message: "must be an https:// URL (http:// only to localhost)" });
  } else {
    try {
      const url = new URL(callbackUrl);
      const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
      if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
        issues.push({ path: "callbackUrl", message: `must use https (http only to localhost); got ${url.protocol}` });
      }
      if (url.username || url.password)
        issues.push({ path: "callbackUrl", message: "must not carry credentials; the webhook secret signs deliveries instead" });
    } catch {
      issues.push({ path: "callbackUrl", message: `"${callbackUrl}" is not a URL; use e.g. https://lb.example.com/api/sync` });
    }
  }
  const eventTypes = raw.eventTypes ?? DEFAULT_EVENTS;
  if (!Array.isArray(eventTypes) || eventTypes.length === 0) {
    issues.push({ path: "eventTypes", message: `must be a non-empty list of ${WEBHOOK_EVENT_TYPES.join(", ")}` });
  } else {
    eventTypes.forEach((t, i) => {
      if (!(WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(t))
        issues.push({
          path: `eventTypes[${i}]`,
          message: `unknown event type "${String(t)}"; use one of ${WEBHOOK_EVENT_TYPES.join(", ")}`,
        });
    });
    if (new Set(eventTypes).size !== eventTypes.length)
      issues.push({ path: "eventTypes", message: "lists an event type twice; remove the duplicate" });
  }
  const policy = (raw.deliveryPolicy ?? {}) as Record<string, unknown>;
  const retryCount = policy.retryCount ?? 3;
  const retryInterval = policy.retryInterval ?? 60;
  for (const [key, value] of [
    ["retryCount", retryCount],
    ["retryInterval", retryInterval],
  ] as const) {
    const { min, max } = WEBHOOK_LIMITS[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      issues.push({
        path: `deliveryPolicy.${key}`,
        message: `must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`,
      });
    }
  }
  const enabled = raw.enabled ?? true;
  if (typeof enabled !== "boolean") issues.push({ path: "enabled", message: "must be true or false" });
  if (issues.length > 0) return { issues };
  return {
    issues,
    value: {
      name: name as string,
      brandId: brandId as string,
      callbackUrl: callbackUrl as string,
      eventTypes: [...(eventTypes as string[])].sort(),
      deliveryPolicy: { retryCount: retryCount as number, retryInterval: retryInterval as number },
      enabled: enabled as boolean,
    },
  };
}

export async function checkWebhook(
  ctx: RuntimeContext,
  news: Record<string, unknown>,
): Promise<{ inputs: Record<string, unknown>; failures: CheckFailure[] }> {
  // brandId is unknown during a preview of a new channel; validate the rest.
  const probe = typeof news.brandId === "string" ? news : { ...news, brandId: "(unknown until the channel exists)" };
  const { value, issues } = validateWebhook(probe);
  if (!value) {
    await ctx.audit.append({
      action: "check",
      resourceType: WEBHOOK_TYPE,
      resourceName: typeof news.name === "string" ? news.name : "(unnamed)",
      outcome: "failure",
      durationMs: 0,
      error: formatIssues(issues),
      actor: ctx.config.clientId,
    });
    return { inputs: news, failures: issues.map((i) => ({ property: i.path, reason: i.message })) };
  }
  return { inputs: { ...value, brandId: news.brandId }, failures: [] };
}

export function diffWebhook(olds: Record<string, unknown>, news: Record<string, unknown>): { changes: boolean; replaces: string[] } {
  const keys = ["name", "brandId", "callbackUrl", "eventTypes", "deliveryPolicy", "enabled"];
  const changed = keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
  return { changes: changed.length > 0, replaces: [] };
}

function specOf(ctx: RuntimeContext, inputs: WebhookInputs): WebhookSpec {
  const secret = ctx.config.webhookSecret;
  return {
    name: inputs.name,
    uri: inputs.callbackUrl,
    eventFilters: inputs.eventTypes.map((eventType) => ({ eventType, brandId: inputs.brandId })),
    type: "rest",
    enabled: inputs.enabled,
    deliveryPolicy: inputs.deliveryPolicy,
    ...(secret ? { secret } : {}),
  };
}

function inputsOf(hook: Webhook): WebhookInputs {
  return {
    name: hook.name,
    brandId: hook.eventFilters.find((f) => f.brandId)?.brandId ?? "",
    callbackUrl: hook.uri,
    eventTypes: [...new Set(hook.eventFilters.map((f) => f.eventType))].sort(),
    deliveryPolicy: hook.deliveryPolicy,
    enabled: hook.enabled,
  };
}

function outputsOf(hook: Webhook): WebhookOutputs {
  return { ...inputsOf(hook), webhookId: hook.id, signed: hook.hasSecret ?? false };
}

async function assertCallbackAllowed(ctx: RuntimeContext, url: string): Promise<void> {
  const issues = await checkEndpointAddress(url, {
    allowPrivateNetworks: ctx.config.allowPrivateNetworks,
    resolver: ctx.resolver,
    field: "callbackUrl",
  });
  if (issues.length > 0) throw new Error(`webhook callback refused:\n${formatIssues(issues)}`);
}

function requireValid(raw: WebhookInputs): WebhookInputs {
  const { value, issues } = validateWebhook(raw as unknown as Record<string, unknown>);
  if (!value) throw new Error(`webhook "${String(raw.name)}" is invalid:\n${formatIssues(issues)}`);
  return value;
}

export async function createWebhook(ctx: RuntimeContext, raw: WebhookInputs): Promise<{ id: string; outs: WebhookOutputs }> {
  const inputs = requireValid(raw);
  const spec = specOf(ctx, inputs);
  return audited(
    ctx,
    { action: "webhook.create", resourceType: WEBHOOK_TYPE, resourceName: inputs.name, payload: spec },
    async (trace: CallTrace) => {
      await assertCallbackAllowed(ctx, inputs.callbackUrl);
      // The channel is usually created earlier in this same `up` by this same process: what it saw
      // then will do. Under a rate limit the engine may reach the webhook a minute later, hence 120 s.
      const brand = await ctx.client.brands.get(inputs.brandId, { trace, maxAgeMs: 120_000 });
      if (!brand) throw new Error(`webhook "${inputs.name}": channel ${inputs.brandId} does not exist`);
      const hook = await createOrRecover(ctx, spec, inputs.brandId, trace);
      try {
        await sendEnrolment(brand, "webchat.brand.updated", enrolmentOptions(ctx, inputs, hook.id));
      } catch (err) {
        // Nothing half-made: a webhook whose load balancer never learnt of the channel is removed.
        await ctx.client.webhooks.delete(hook.id, trace);
        throw err;
      }
      return { id: hook.id, outs: outputsOf(hook) };
    },
    (r) => ({ targetId: r.id }),
  );
}

/**
 * POSTs the webhook. One with this name that already exists and is filtered to this channel is
 * taken to be this resource's own earlier create whose answer never reached the state (a lost
 * response, or a CLI killed mid-create), so `refresh --clear-pending-creates` and `up` converge
 * instead of failing on the name for ever. One filtered to another channel is never touched.
 */
async function createOrRecover(ctx: RuntimeContext, spec: WebhookSpec, brandId: string, trace: CallTrace): Promise<Webhook> {
  let existing: Webhook | undefined;
  try {
    const { webhook, recovered } = await ctx.client.webhooks.create(spec, trace);
    if (!recovered) return webhook;
    existing = webhook;
  } catch (err) {
    if (!(err instanceof GenesysApiError) || err.status !== 409) throw err;
    existing = await ctx.client.webhooks.findByName(spec.name, trace);
    if (!existing) throw err;
  }
  const filters = existing.eventFilters ?? [];
  if (filters.length === 0 || !filters.every((f) => f.brandId === brandId)) {
    throw new Error(
      `a webhook named "${spec.name}" already exists (${existing.id}) and does not follow channel ${brandId}; ` +
        `delete it, or rename this channel's resource`,
    );
  }
  // The secret is write-only, so whether the lost create carried this stack's secret cannot be
  // read back: writing the whole definition again makes the adopted webhook exactly the declared one.
  return ctx.client.webhooks.update(existing.id, spec, trace);
}

export async function readWebhook(
  ctx: RuntimeContext,
  id: string,
  props: Record<string, unknown>,
): Promise<{ id: string; props?: WebhookOutputs; inputs?: WebhookInputs }> {
  return audited(
    ctx,
    { action: "webhook.read", resourceType: WEBHOOK_TYPE, resourceName: String(props.name ?? id), targetId: id },
    async (trace) => {
      const hook = await ctx.client.webhooks.get(id, trace);
      if (!hook) return { id: "" };
      return { id: hook.id, props: outputsOf(hook), inputs: inputsOf(hook) };
    },
  );
}

export async function updateWebhook(ctx: RuntimeContext, id: string, raw: WebhookInputs): Promise<{ outs: WebhookOutputs }> {
  const inputs = requireValid(raw);
  const spec = specOf(ctx, inputs);
  return audited(
    ctx,
    { action: "webhook.update", resourceType: WEBHOOK_TYPE, resourceName: inputs.name, targetId: id, payload: spec },
    async (trace) => {
      await assertCallbackAllowed(ctx, inputs.callbackUrl);
      const hook = await ctx.client.webhooks.update(id, spec, trace);
      return { outs: outputsOf(hook) };
    },
  );
}

export async function deleteWebhook(ctx: RuntimeContext, id: string, props: Record<string, unknown>): Promise<void> {
  await audited(
    ctx,
    { action: "webhook.delete", resourceType: WEBHOOK_TYPE, resourceName: String(props.name ?? id), targetId: id },
    async (trace) => {
      const existed = await ctx.client.webhooks.delete(id, trace);
      const brandId = typeof props.brandId === "string" ? props.brandId : undefined;
      const callbackUrl = typeof props.callbackUrl === "string" ? props.callbackUrl : undefined;
      if (!existed || !brandId || !callbackUrl) return;
      // Without its webhook the pool can no longer track this channel: take it out of rotation.
      const brand = (await ctx.client.brands.get(brandId, { trace })) ?? tombstone(brandId, String(props.name ?? brandId));
      await assertCallbackAllowed(ctx, callbackUrl);
      await sendEnrolment(brand, "webchat.brand.deleted", {
        callbackUrl,
        webhookId: id,
        secret: ctx.config.webhookSecret,
        sleep: ctx.sleep,
      });
    },
  );
}

function enrolmentOptions(ctx: RuntimeContext, inputs: WebhookInputs, webhookId: string) {
  return { callbackUrl: inputs.callbackUrl, webhookId, secret: ctx.config.webhookSecret, sleep: ctx.sleep };
}

function tombstone(id: string, name: string): Brand {
  return {
    id,
    name,
    description: "",
    endpointUrl: "",
    allowedOrigins: [],
    channelTypes: [],
    settings: { maxConcurrentSessions: 0, rateLimitThreshold: 0, tlsCertificateChain: [], healthCheckInterval: 0 },
    status: "deleted",
    version: 0,
  };
}
