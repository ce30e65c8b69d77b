/**
 * WebMessagingChannel lifecycle -> Genesys calls:
 *   check   validate (schema, limits, origins, URL schemes, TLS chain, signature)   no network
 *   diff    compare normalised definitions; channelTypes -> delete-before-replace  no network
 *   create  DNS/SSRF check, POST /brands (or adopt adoptExistingId: GET + PUT), then poll
 *           GET ?expand=health until active; on failure the brand is deleted again. Which
 *           existing brand is ours, adopted or refused: create-or-adopt.ts
 *   read    GET /brands/{id}?expand=health; 404 -> empty id (the engine drops it)
 *   update  DNS/SSRF check, GET (current version), PUT only when the live channel differs
 *           (version.mismatch -> re-read, retry once), then GET ?expand=health: a channel that
 *           only needs a fresh probe (it was degraded) is probed, never rewritten
 *   delete  DELETE /brands/{id}; 404 -> already gone
 */
import { type CallTrace, GenesysApiError } from "../../genesys";
import { assertAddressAllowed } from "../../runtime/address";
import { differingFields } from "../../runtime/compare";
import { type CheckFailure, type RuntimeContext, audited, auditedCheck, healthRecord } from "../../runtime/context";
import { type Subject, adoptExisting, createOrRecover, undoCreate, writeUnlessSame } from "../../runtime/create-or-adopt";
import { splitInputs } from "../../runtime/inputs";
import { pollUntil } from "../../runtime/poll";
import { formatIssues } from "../../validation/issues";
import type { Lifecycle, Props } from "../definition";
import type { Brand, BrandSpec, HealthStatus } from "./api";
import { type ChannelDefinition, type ChannelShape, normalizeChannel, validateChannel } from "./schema";

const CHANNEL_TYPE = "genesys:WebMessagingChannel";

/**
 * The channel's id, kept in the inputs once a refresh has read it (see carryBrandId). Never part
 * of the definition, never validated or signed.
 */
const CARRIED_ID = "brandId";

export type ChannelInputs = ChannelDefinition & { adoptExistingId?: string; brandId?: string };

export type ChannelOutputs = ChannelInputs & {
  brandId: string;
  status: string;
  healthStatus: HealthStatus | "unknown";
  selfUri: string;
};

/** What the API stores of a channel: the definition without its signature, normalised. */
type ChannelSpec = BrandSpec;

/** What a resource carries from its inputs to its outputs without sending it to the API. */
type Carried = Pick<ChannelInputs, "adoptExistingId" | "signature">;

/** The definition to validate and sign, without what steers the provider or was carried from a refresh. */
function splitChannelInputs(raw: Props): { definition: Props; extra: Pick<ChannelInputs, "adoptExistingId"> } {
  const { definition, adoptExistingId } = splitInputs(raw);
  delete definition[CARRIED_ID];
  return { definition, extra: adoptExistingId ? { adoptExistingId } : {} };
}

/**
 * The one mapping between a channel as declared and as the API stores it. A definition, a stored
 * state and a live brand all become the API's body in one normal form (origins, defaults, sorted
 * types, one PEM block per certificate), so any two of them compare field by field.
 */
function specOf(source: ChannelShape): ChannelSpec {
  return normalizeChannel(source);
}

/**
 * The channel in a state or the engine's inputs, for diff. Check stored it (normalised, or as
 * written when signed), so its shape is a definition's; a value not known yet during a preview
 * (a plain string where a list or number goes) is kept so that it compares as a change.
 */
function storedSpec(props: Props): unknown {
  const text = (v: unknown) => (typeof v === "string" ? v : v === undefined || v === null ? "" : JSON.stringify(v));
  const list = (v: unknown) => (Array.isArray(v) ? v.map(text) : v === undefined || v === null ? [] : [text(v)]);
  const settings: Props = props.settings !== null && typeof props.settings === "object" ? (props.settings as Props) : {};
  const spec = specOf({
    name: text(props.name),
    endpointUrl: text(props.endpointUrl),
    allowedOrigins: list(props.allowedOrigins),
    channelTypes: list(props.channelTypes) as ChannelSpec["channelTypes"],
    settings: { maxConcurrentSessions: 0, rateLimitThreshold: 0, tlsCertificateChain: list(settings.tlsCertificateChain) },
  });
  const { maxConcurrentSessions, rateLimitThreshold, healthCheckInterval = spec.settings.healthCheckInterval } = settings;
  return {
    ...spec,
    description: props.description ?? "",
    settings: { ...spec.settings, maxConcurrentSessions, rateLimitThreshold, healthCheckInterval },
  };
}

function outputsOf(brand: Brand, carried: Carried): ChannelOutputs {
  return {
    ...specOf(brand),
    ...(carried.signature ? { signature: carried.signature } : {}),
    ...(carried.adoptExistingId ? { adoptExistingId: carried.adoptExistingId } : {}),
    brandId: brand.id,
    status: brand.status,
    healthStatus: brand.settings.healthStatus ?? "unknown",
    selfUri: brand.selfUri ?? "",
  };
}

function carriedOf(props: Props): Carried {
  return {
    adoptExistingId: typeof props.adoptExistingId === "string" ? props.adoptExistingId : undefined,
    signature: typeof props.signature === "string" ? props.signature : undefined,
  };
}

/**
 * During a preview the engine takes a dynamic resource's checked inputs as the outputs of an
 * update (the dynamic provider cannot preview), so an output missing from them is unknown, and a
 * LoadBalancerWebhook fed this channel's brandId would show `~ brandId => [unknown]` whenever the
 * channel itself has a pending update, drift repaired after a refresh included. An in-place update
 * never changes the id: once the state's inputs hold it (read puts it there), check carries it
 * forward. A change of channelTypes replaces the channel, and its new id is rightly unknown.
 */
function carryBrandId(olds: Props, definition: Props): { brandId?: string } {
  const id = olds[CARRIED_ID];
  if (typeof id !== "string" || id === "") return {};
  const sameTypes = (v: unknown) => JSON.stringify(Array.isArray(v) ? [...v].map(String).sort() : v);
  return sameTypes(olds.channelTypes) === sameTypes(definition.channelTypes) ? { brandId: id } : {};
}

export async function checkChannel(
  ctx: RuntimeContext,
  news: Props,
  olds: Props = {},
): Promise<{ inputs: Props; failures: CheckFailure[] }> {
  const { definition, extra } = splitChannelInputs(news);
  let warnings: string[] = [];
  const checked = await auditedCheck(ctx, CHANNEL_TYPE, definition, () => {
    const result = validateChannel(definition, { signingKey: ctx.config.signatureKey });
    warnings = result.warnings;
    return result;
  });
  if (!checked.ok) return { inputs: news, failures: checked.failures };
  for (const warning of warnings) console.warn(warning);
  // A signature covers the definition as written, and create/update verify it again: a signed
  // definition must reach them verbatim, since its canonical form no longer matches its own
  // signature. Diff normalises both sides, so spelling still never shows up as a change.
  const carried = carryBrandId(olds, definition);
  if (checked.value.signature) return { inputs: { ...definition, ...extra, ...carried }, failures: [] };
  return { inputs: { ...specOf(checked.value), ...extra, ...carried }, failures: [] };
}

export function diffChannel(
  olds: Props,
  news: Props,
): { changes: boolean; replaces: string[]; deleteBeforeReplace: boolean; diffs: string[] } {
  const diffs = differingFields(storedSpec(olds), storedSpec(news));
  // The declared state includes "healthy": a channel whose last probe found it degraded or
  // unreachable is drift (refresh reports it) and `up` probes it again (update writes nothing
  // when the definition is unchanged).
  const health = olds.healthStatus;
  if (health === "degraded" || health === "unreachable") diffs.push("healthStatus");
  const replaces = diffs.includes("channelTypes") ? ["channelTypes"] : [];
  // Names are unique, so the old channel must be gone before its replacement is created.
  return { changes: diffs.length > 0, replaces, deleteBeforeReplace: replaces.length > 0, diffs };
}

const assertReachableEndpoint = (ctx: RuntimeContext, url: string) =>
  assertAddressAllowed(ctx, url, "endpointUrl", "channel endpoint refused");

/**
 * Re-runs the pure checks (create/update must never trust that check ran with the same key) and
 * gives the API's body, normalised once for the whole operation.
 */
function requireValid(ctx: RuntimeContext, inputs: Props): { spec: ChannelSpec; carried: Carried } {
  const { definition, extra } = splitChannelInputs(inputs);
  const result = validateChannel(definition, { signingKey: ctx.config.signatureKey });
  if (!result.ok) throw new Error(`channel "${String(definition.name)}" is invalid:\n${formatIssues(result.issues)}`);
  return { spec: specOf(result.value), carried: { adoptExistingId: extra.adoptExistingId, signature: result.value.signature } };
}

const subjectOf = (spec: ChannelSpec): Subject => ({ kind: "channel", name: spec.name, adoptable: true });

/** The write of a channel: only when it differs, with the version it replaces (a conflict re-reads once). */
function writeSteps(ctx: RuntimeContext, id: string, spec: ChannelSpec, trace: CallTrace) {
  return {
    differs: (live: Brand) => differingFields(specOf(live), spec).length > 0,
    write: (live: Brand) => ctx.client.brands.update(id, spec, live.version, trace),
    reread: () => ctx.client.brands.get(id, { trace }),
    isVersionConflict: (err: unknown) => err instanceof GenesysApiError && err.code === "version.mismatch",
  };
}

/** Polls the health probe until `active`; the wait itself is audited as a "health" record. */
async function waitForActive(ctx: RuntimeContext, id: string, trace: CallTrace): Promise<Brand> {
  const recordHealth = healthRecord(ctx, CHANNEL_TYPE, id);
  let last: Brand | undefined;
  const record = (outcome: "success" | "failure", error?: string) =>
    recordHealth(outcome, { name: last?.name, status: last?.settings.healthStatus }, error);
  const healthy = await pollUntil(ctx, async () => {
    const brand = await ctx.client.brands.get(id, { health: true, trace });
    if (!brand) {
      await record("failure", "the channel disappeared during the health check");
      throw new Error(`channel ${id} disappeared while waiting for its health check`);
    }
    last = brand;
    return brand.settings.healthStatus === "active" ? brand : undefined;
  });
  if (!healthy) {
    await record("failure", `not healthy within ${ctx.config.healthTimeoutSeconds} s`);
    throw new Error(
      `channel "${last?.name}" (${id}) did not become healthy within ${ctx.config.healthTimeoutSeconds} s ` +
        `(last health status: ${last?.settings.healthStatus ?? "none"}); check that ${last?.endpointUrl} is reachable from Genesys Cloud, ` +
        `or raise genesys:healthTimeoutSeconds`,
    );
  }
  await record("success");
  return healthy;
}

export async function createChannel(ctx: RuntimeContext, inputs: Props): Promise<{ id: string; outs: ChannelOutputs }> {
  const { spec, carried } = requireValid(ctx, inputs);
  if (carried.adoptExistingId) return adoptChannel(ctx, carried.adoptExistingId, spec, carried);
  return audited(
    ctx,
    { action: "create", resourceType: CHANNEL_TYPE, resourceName: spec.name, payload: spec },
    async (trace) => {
      await assertReachableEndpoint(ctx, spec.endpointUrl);
      const { live: brand } = await createOrRecover(subjectOf(spec), {
        post: async () => {
          const { brand, recovered } = await ctx.client.brands.create(spec, trace);
          return { created: brand, recovered };
        },
        holderOfName: () => ctx.client.brands.findByName(spec.name, trace),
        idOf: (b) => b.id,
        differences: (b) => differingFields(specOf(b), spec),
      });
      try {
        const healthy = await waitForActive(ctx, brand.id, trace);
        return { id: brand.id, outs: outputsOf(healthy, carried) };
      } catch (err) {
        return undoCreate({ ...subjectOf(spec), id: brand.id }, err, () => ctx.client.brands.delete(brand.id, trace));
      }
    },
    (r) => ({ targetId: r.id, healthStatus: r.outs.healthStatus }),
  );
}

async function adoptChannel(
  ctx: RuntimeContext,
  id: string,
  spec: ChannelSpec,
  carried: Carried,
): Promise<{ id: string; outs: ChannelOutputs }> {
  return audited(
    ctx,
    { action: "adopt", resourceType: CHANNEL_TYPE, resourceName: spec.name, targetId: id, payload: spec },
    async (trace) => {
      await assertReachableEndpoint(ctx, spec.endpointUrl);
      await adoptExisting(
        { kind: "channel", id },
        {
          read: () => ctx.client.brands.get(id, { trace }),
          immutable: (live) => {
            const types = specOf(live).channelTypes;
            return JSON.stringify(types) === JSON.stringify(spec.channelTypes)
              ? undefined
              : `has channelTypes ${JSON.stringify(types)}, which cannot change after creation; declare those`;
          },
          ...writeSteps(ctx, id, spec, trace),
        },
      );
      const healthy = await waitForActive(ctx, id, trace);
      return { id, outs: outputsOf(healthy, carried) };
    },
    (r) => ({ healthStatus: r.outs.healthStatus }),
  );
}

export async function readChannel(
  ctx: RuntimeContext,
  id: string,
  props: Props,
): Promise<{ id: string; props?: ChannelOutputs; inputs?: Props }> {
  const name = typeof props.name === "string" ? props.name : id;
  return audited(
    ctx,
    { action: "read", resourceType: CHANNEL_TYPE, resourceName: name, targetId: id },
    async (trace) => {
      const brand = await ctx.client.brands.get(id, { health: true, trace });
      if (!brand) return { id: "" };
      const outs = outputsOf(brand, carriedOf(props));
      const { brandId, status: _status, healthStatus: _health, selfUri: _selfUri, ...declared } = outs;
      return { id: brand.id, props: outs, inputs: { ...declared, [CARRIED_ID]: brandId } };
    },
    (r) => ({ healthStatus: r.props?.healthStatus ?? "gone" }),
  );
}

export async function updateChannel(ctx: RuntimeContext, id: string, news: Props): Promise<{ outs: ChannelOutputs }> {
  const { spec, carried } = requireValid(ctx, news);
  return audited(
    ctx,
    { action: "update", resourceType: CHANNEL_TYPE, resourceName: spec.name, targetId: id, payload: spec },
    async (trace) => {
      await assertReachableEndpoint(ctx, spec.endpointUrl);
      const gone = () => new Error(`channel ${id} no longer exists; run \`pulumi refresh\`, then \`pulumi up\` recreates it`);
      const current = await ctx.client.brands.get(id, { trace });
      if (!current) throw gone();
      await writeUnlessSame(current, { ...writeSteps(ctx, id, spec, trace), gone });
      // A channel that only needed a fresh probe (it was degraded) is probed here, never rewritten.
      const probed = await ctx.client.brands.get(id, { health: true, trace });
      if (!probed) throw new Error(`channel ${id} disappeared during the update; run \`pulumi refresh\``);
      return { outs: outputsOf(probed, carried) };
    },
    (r) => ({ healthStatus: r.outs.healthStatus }),
  );
}

export async function deleteChannel(ctx: RuntimeContext, id: string, props: Props): Promise<void> {
  const name = typeof props.name === "string" ? props.name : id;
  await audited(ctx, { action: "delete", resourceType: CHANNEL_TYPE, resourceName: name, targetId: id }, async (trace) => {
    await ctx.client.brands.delete(id, trace);
  });
}

/** The WebMessagingChannel's lifecycle: the dynamic ResourceProvider's methods, given the context. */
export const lifecycle = {
  check: (ctx: RuntimeContext, olds: Props, news: Props) => checkChannel(ctx, news, olds),
  diff: (_id: string, olds: Props, news: Props) => diffChannel(olds, news),
  create: createChannel,
  read: readChannel,
  update: (ctx: RuntimeContext, id: string, _olds: Props, news: Props) => updateChannel(ctx, id, news),
  delete: deleteChannel,
} satisfies Lifecycle;
