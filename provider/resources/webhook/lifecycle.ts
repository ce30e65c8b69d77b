/**
 * LoadBalancerWebhook lifecycle -> Genesys calls:
 *   check   validate name, callback URL scheme, event types, delivery policy     no network
 *           (schema.ts)
 *   diff    compare; everything updates in place; a webhook whose load balancer may be stale
 *           (enrolled: false after a refresh) shows a change so `up` enrols it again
 *   create  SSRF check of the callback, POST /webhooks (filtered to the brand, signed with the
 *           stack's webhook secret), GET /brands/{id}, enrolment sent to the callback (connecting
 *           only to an address the same SSRF rules allow, judged again at connection); a failed
 *           enrolment deletes the webhook again. A same-named webhook is ours only when it follows
 *           the same channel (create-or-adopt.ts), and is then written over with the declaration.
 *           adoptExistingId instead: GET /webhooks/{id} (404 -> an error naming the id), PUT only
 *           when it differs, and an enrolment only after a PUT
 *   read    GET /webhooks/{id}; 404 -> empty id; GET /brands/{brandId} (gone -> enrolled: false)
 *   update  SSRF check, PUT /webhooks/{id}; when what it follows or where it delivers changes, a
 *           removal to the old callback and an enrolment to the new one
 *   delete  DELETE /webhooks/{id}; 404 -> already gone; a removal sent to the callback
 * The invariant: after a successful `up`, the load balancer at each enabled webhook's callback has
 * been sent the current state of the channel the webhook follows, and a removal of any channel it
 * stopped following (lb-sync.ts says how).
 * The signing secret comes from stack config (genesys:webhookSecret), never from inputs or state.
 */
import type { CallTrace } from "../../genesys";
import { assertAddressAllowed } from "../../runtime/address";
import { differingFields, sameDocument } from "../../runtime/compare";
import { type CheckFailure, type RuntimeContext, audited, auditedCheck } from "../../runtime/context";
import { type Subject, adoptExisting, createOrRecover, describe, undoCreate } from "../../runtime/create-or-adopt";
import { splitInputs } from "../../runtime/inputs";
import { formatIssues } from "../../validation/issues";
import type { Brand } from "../channel/api";
import type { Lifecycle, Props } from "../definition";
import type { Webhook, WebhookSpec } from "./api";
import { sendEnrolment } from "./lb-sync";
import { type WebhookDefinition, validateWebhook } from "./schema";

const WEBHOOK_TYPE = "genesys:LoadBalancerWebhook";

/** adoptExistingId: take over this existing webhook instead of creating one; never sent to the API. */
export type WebhookInputs = WebhookDefinition & { adoptExistingId?: string };

export type WebhookOutputs = WebhookInputs & {
  webhookId: string;
  signed: boolean;
  /**
   * The load balancer at callbackUrl was sent the current state of the followed channel, and that
   * channel still exists. False for a disabled webhook, and after a refresh that found the channel
   * deleted or the webhook changed out of band.
   */
  enrolled: boolean;
};

const carried = (adoptExistingId: unknown) => (typeof adoptExistingId === "string" && adoptExistingId !== "" ? { adoptExistingId } : {});

export async function checkWebhook(ctx: RuntimeContext, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
  const { definition, adoptExistingId } = splitInputs(news);
  // brandId is unknown during a preview of a new channel; validate the rest.
  const probe = typeof definition.brandId === "string" ? definition : { ...definition, brandId: "(unknown until the channel exists)" };
  const checked = await auditedCheck(ctx, WEBHOOK_TYPE, news, () => validateWebhook(probe));
  if (!checked.ok) return { inputs: news, failures: checked.failures };
  return { inputs: { ...checked.value, brandId: definition.brandId, ...carried(adoptExistingId) }, failures: [] };
}

export function diffWebhook(olds: Props, news: Props): { changes: boolean; replaces: string[] } {
  const keys = ["name", "brandId", "callbackUrl", "eventTypes", "deliveryPolicy", "enabled"];
  const changed = keys.filter((k) => !sameDocument(olds[k], news[k]));
  // State written before `enrolled` existed has none: only an explicit false asks for a new enrolment.
  const stale = olds.enrolled === false && news.enabled !== false;
  return { changes: changed.length > 0 || stale, replaces: [] };
}

function specOf(ctx: RuntimeContext, inputs: WebhookDefinition): WebhookSpec {
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

function inputsOf(hook: Webhook): WebhookDefinition {
  return {
    name: hook.name,
    brandId: hook.eventFilters.find((f) => f.brandId)?.brandId ?? "",
    callbackUrl: hook.uri,
    eventTypes: [...new Set(hook.eventFilters.map((f) => f.eventType))].sort(),
    deliveryPolicy: hook.deliveryPolicy,
    enabled: hook.enabled,
  };
}

function outputsOf(hook: Webhook, enrolled: boolean, adoptExistingId?: unknown): WebhookOutputs {
  return { ...inputsOf(hook), ...carried(adoptExistingId), webhookId: hook.id, signed: hook.hasSecret ?? false, enrolled };
}

const assertCallbackAllowed = (ctx: RuntimeContext, url: string) =>
  assertAddressAllowed(ctx, url, "callbackUrl", "webhook callback refused");

function requireValid(raw: Props): { inputs: WebhookDefinition; adoptExistingId?: string } {
  const { definition, adoptExistingId } = splitInputs(raw);
  const result = validateWebhook(definition);
  if (!result.ok) throw new Error(`webhook "${String(raw.name)}" is invalid:\n${formatIssues(result.issues)}`);
  return { inputs: result.value, adoptExistingId };
}

const subjectOf = (inputs: WebhookDefinition): Subject => ({ kind: "webhook", name: inputs.name, adoptable: false });

/**
 * A channel this provider process saw at any time will do for the check that a webhook's channel
 * exists: the engine starts one provider process per CLI command, so this means "during this `up`".
 * A time window (it was 120 s) made a long `up` re-read a fifth of its calls: in one stack of 1,000
 * channels the engine reaches a channel's webhook minutes after creating the channel.
 */
const SEEN_THIS_COMMAND = Number.POSITIVE_INFINITY;

export async function createWebhook(ctx: RuntimeContext, raw: Props): Promise<{ id: string; outs: WebhookOutputs }> {
  const { inputs, adoptExistingId } = requireValid(raw);
  if (adoptExistingId) return adoptWebhook(ctx, adoptExistingId, inputs);
  const spec = specOf(ctx, inputs);
  return audited(
    ctx,
    { action: "create", resourceType: WEBHOOK_TYPE, resourceName: inputs.name, payload: spec },
    async (trace: CallTrace) => {
      await assertCallbackAllowed(ctx, inputs.callbackUrl);
      // The channel is usually created earlier in this same `up` by this same process: what it saw
      // then will do to refuse a missing one early, however long the engine took to reach the webhook.
      const known = await ctx.client.brands.get(inputs.brandId, { trace, maxAgeMs: SEEN_THIS_COMMAND });
      if (!known) throw new Error(`webhook "${inputs.name}": channel ${inputs.brandId} does not exist`);
      // A same-named webhook is this resource's own lost create when it follows this channel; the
      // rest of its definition is then written over it below.
      const { live, recovered } = await createOrRecover(subjectOf(inputs), {
        post: async () => {
          const { webhook, recovered } = await ctx.client.webhooks.create(spec, trace);
          return { created: webhook, recovered };
        },
        holderOfName: () => ctx.client.webhooks.findByName(spec.name, trace),
        idOf: (hook) => hook.id,
        differences: (hook) => (followsOnly(hook, inputs.brandId) ? [] : ["brandId"]),
      });
      // The secret is write-only, so whether the lost create carried this stack's secret cannot be
      // read back: writing the whole definition again makes the recovered webhook exactly the declared one.
      const hook = recovered ? await ctx.client.webhooks.update(live.id, spec, trace) : live;
      if (inputs.enabled) {
        try {
          await enrol(ctx, inputs, hook.id, recovered ? "webhook adopted" : "webhook created", trace);
        } catch (err) {
          // Nothing half-made: a webhook whose load balancer never learnt of the channel is removed.
          return undoCreate({ ...subjectOf(inputs), id: hook.id }, err, () => ctx.client.webhooks.delete(hook.id, trace));
        }
      }
      return { id: hook.id, outs: outputsOf(hook, inputs.enabled) };
    },
    (r) => ({ targetId: r.id }),
  );
}

/**
 * What is compared on adoption, in the API's terms. The secret is not: it is write-only, so a live
 * webhook's secret can never be read back to compare, and sending it when nothing else differs
 * would make every adoption a write.
 */
function comparable(source: WebhookSpec | Webhook) {
  const filters = (source.eventFilters ?? []).map((f) => ({ eventType: f.eventType, brandId: f.brandId ?? null }));
  filters.sort((a, b) => `${a.eventType} ${a.brandId}`.localeCompare(`${b.eventType} ${b.brandId}`));
  return { name: source.name, uri: source.uri, eventFilters: filters, deliveryPolicy: source.deliveryPolicy, enabled: source.enabled };
}

/** The body that puts a webhook back as it was read (no secret: leaving it out keeps the live one). */
function asFound(hook: Webhook): WebhookSpec {
  return {
    name: hook.name,
    uri: hook.uri,
    eventFilters: hook.eventFilters,
    type: "rest",
    enabled: hook.enabled,
    deliveryPolicy: hook.deliveryPolicy,
  };
}

async function adoptWebhook(ctx: RuntimeContext, id: string, inputs: WebhookDefinition): Promise<{ id: string; outs: WebhookOutputs }> {
  const spec = specOf(ctx, inputs);
  return audited(
    ctx,
    { action: "adopt", resourceType: WEBHOOK_TYPE, resourceName: inputs.name, targetId: id, payload: spec },
    async (trace) => {
      let written: Webhook | undefined;
      const { live, wrote } = await adoptExisting(
        { kind: "webhook", id },
        {
          read: () => ctx.client.webhooks.get(id, trace),
          differs: (hook) => differingFields(comparable(hook), comparable(spec)).length > 0,
          write: async () => {
            // Checked before the webhook changes, as a create checks them: a write is followed by an enrolment.
            await assertCallbackAllowed(ctx, inputs.callbackUrl);
            if (inputs.enabled && !(await ctx.client.brands.get(inputs.brandId, { trace, maxAgeMs: SEEN_THIS_COMMAND }))) {
              throw new Error(
                `webhook "${inputs.name}": channel ${inputs.brandId} does not exist; pass the brandId of an existing channel`,
              );
            }
            written = await ctx.client.webhooks.update(id, spec, trace);
          },
        },
      );
      // Nothing changed: the webhook has been delivering this channel's events to this load balancer
      // all along, so the load balancer already follows the webhook's brand, and an enrolment would only
      // repeat what it knows. Nothing is sent to it (nor is its address checked: no connection is made),
      // and the adoption stays read-only end to end.
      if (!wrote) return { id, outs: outputsOf(live, inputs.enabled, id) };
      if (inputs.enabled) {
        try {
          await enrol(ctx, inputs, id, "webhook adopted", trace);
        } catch (err) {
          // The webhook was someone's before: it is never deleted. Put back as found, the next `up`
          // sees the difference again, writes it and enrols; left changed, it would see none and never enrol.
          try {
            await ctx.client.webhooks.update(id, asFound(live), trace);
          } catch (restoreError) {
            throw new Error(
              `${describe(err)}; webhook ${id} keeps the declared definition but could not be put back as it was ` +
                `(${describe(restoreError)}), so the next \`pulumi up\` finds nothing to change and will not enrol it: once the load balancer accepts ` +
                `deliveries, change any field of webhook ${id} in Genesys and run \`pulumi up\``,
              { cause: err },
            );
          }
          throw new Error(`${describe(err)}; webhook ${id} was put back as it was found, so the next \`pulumi up\` adopts it again`, {
            cause: err,
          });
        }
      }
      return { id, outs: outputsOf(written!, inputs.enabled, id) };
    },
  );
}

/** Whether every event filter of a webhook is for this one channel. */
function followsOnly(hook: Webhook, brandId: string): boolean {
  const filters = hook.eventFilters ?? [];
  return filters.length > 0 && filters.every((f) => f.brandId === brandId);
}

export async function readWebhook(
  ctx: RuntimeContext,
  id: string,
  props: Props,
): Promise<{ id: string; props?: WebhookOutputs; inputs?: WebhookInputs }> {
  return audited(
    ctx,
    { action: "read", resourceType: WEBHOOK_TYPE, resourceName: String(props.name ?? id), targetId: id },
    async (trace) => {
      const hook = await ctx.client.webhooks.get(id, trace);
      if (!hook) return { id: "" };
      const live = inputsOf(hook);
      // What was enrolled still holds only if the webhook still delivers the same channel to the
      // same place and that channel still exists (deleted or replaced out of band, it does not).
      // `pulumi import` reads with no state at all: nothing says the webhook moved, so what it
      // delivers now is what was enrolled (by whoever made it), and the import needs no re-enrolment.
      const was = props.brandId === undefined && props.callbackUrl === undefined ? live : props;
      const unchanged = live.enabled && live.brandId === was.brandId && live.callbackUrl === was.callbackUrl;
      // The refresh usually read the channel moments ago (a 404 is never remembered): that answers.
      const exists = unchanged && (await ctx.client.brands.get(live.brandId, { trace, maxAgeMs: 60_000 })) !== undefined;
      const enrolled = exists && props.enrolled !== false;
      return {
        id: hook.id,
        props: outputsOf(hook, enrolled, props.adoptExistingId),
        inputs: { ...live, ...carried(props.adoptExistingId) },
      };
    },
  );
}

interface Following {
  brandId: string;
  callbackUrl: string;
}

/** The channel and load balancer a webhook's state says it delivers to; none when disabled. */
function followingOf(props: Props): Following | undefined {
  if (props.enabled === false || typeof props.brandId !== "string" || typeof props.callbackUrl !== "string") return undefined;
  if (props.brandId === "" || props.callbackUrl === "") return undefined;
  return { brandId: props.brandId, callbackUrl: props.callbackUrl };
}

export async function updateWebhook(ctx: RuntimeContext, id: string, olds: Props, raw: Props): Promise<{ outs: WebhookOutputs }> {
  const { inputs, adoptExistingId } = requireValid(raw);
  const spec = specOf(ctx, inputs);
  return audited(
    ctx,
    { action: "update", resourceType: WEBHOOK_TYPE, resourceName: inputs.name, targetId: id, payload: spec },
    async (trace) => {
      await assertCallbackAllowed(ctx, inputs.callbackUrl);
      const before = followingOf(olds);
      const after = inputs.enabled ? { brandId: inputs.brandId, callbackUrl: inputs.callbackUrl } : undefined;
      const moved = before !== undefined && (before.brandId !== after?.brandId || before.callbackUrl !== after?.callbackUrl);
      if (after && !(await ctx.client.brands.get(after.brandId, { trace, maxAgeMs: SEEN_THIS_COMMAND }))) {
        throw new Error(`webhook "${inputs.name}": channel ${after.brandId} does not exist; pass the brandId of an existing channel`);
      }
      const hook = await ctx.client.webhooks.update(id, spec, trace);
      // The webhook delivers to its new place from here on; now tell each load balancer what changed for it.
      if (moved) {
        const reason = !after
          ? "webhook disabled"
          : before.callbackUrl !== after.callbackUrl
            ? "webhook moved to another load balancer"
            : "webhook follows another channel";
        await sendRemoval(ctx, before, String(olds.name ?? inputs.name), id, reason, trace);
      }
      if (after && (moved || !before || olds.enrolled === false)) {
        const reason = !before ? "webhook enabled" : moved ? "webhook moved" : "load balancer may be stale";
        await enrol(ctx, inputs, id, reason, trace);
      }
      return { outs: outputsOf(hook, inputs.enabled, adoptExistingId) };
    },
  );
}

export async function deleteWebhook(ctx: RuntimeContext, id: string, props: Props): Promise<void> {
  await audited(
    ctx,
    { action: "delete", resourceType: WEBHOOK_TYPE, resourceName: String(props.name ?? id), targetId: id },
    async (trace) => {
      const existed = await ctx.client.webhooks.delete(id, trace);
      const following = followingOf(props);
      // A disabled webhook's load balancer was told when it was disabled.
      if (!existed || !following) return;
      // Without its webhook the pool can no longer track this channel: take it out of rotation.
      await sendRemoval(ctx, following, String(props.name ?? following.brandId), id, "webhook deleted", trace);
    },
  );
}

/** Reads the channel now that the webhook follows it, and sends its state to the load balancer. */
async function enrol(ctx: RuntimeContext, inputs: WebhookDefinition, webhookId: string, reason: string, trace: CallTrace): Promise<void> {
  const observedAt = Date.now();
  const brand = await ctx.client.brands.get(inputs.brandId, { trace });
  if (!brand) throw new Error(`webhook "${inputs.name}": channel ${inputs.brandId} does not exist`);
  await sendEnrolment(brand, "enrol", { ...deliveryTarget(ctx, inputs.callbackUrl, webhookId, trace), reason, observedAt });
}

async function sendRemoval(ctx: RuntimeContext, from: Following, name: string, webhookId: string, reason: string, trace: CallTrace) {
  const brand = (await ctx.client.brands.get(from.brandId, { trace })) ?? tombstone(from.brandId, name);
  await assertCallbackAllowed(ctx, from.callbackUrl);
  await sendEnrolment(brand, "remove", { ...deliveryTarget(ctx, from.callbackUrl, webhookId, trace), reason });
}

/**
 * Where and how a delivery goes. The check above ran before any change; the same rules are applied
 * again when each attempt connects, so what the check judged is what the POST reaches.
 */
function deliveryTarget(ctx: RuntimeContext, callbackUrl: string, webhookId: string, trace: CallTrace) {
  return {
    callbackUrl,
    webhookId,
    secret: ctx.config.webhookSecret,
    allowPrivateNetworks: ctx.config.allowPrivateNetworks,
    resolver: ctx.resolver,
    trace,
    sleep: ctx.sleep,
  };
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

/** The LoadBalancerWebhook's lifecycle: the dynamic ResourceProvider's methods, given the context. */
export const lifecycle = {
  check: (ctx: RuntimeContext, _olds: Props, news: Props) => checkWebhook(ctx, news),
  diff: (_id: string, olds: Props, news: Props) => diffWebhook(olds, news),
  create: createWebhook,
  read: readWebhook,
  update: updateWebhook,
  delete: deleteWebhook,
} satisfies Lifecycle;
