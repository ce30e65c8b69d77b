/**
 * WebMessagingChannel lifecycle -> Genesys calls:
 *   check   validate (schema, limits, origins, URL schemes, TLS chain, signature)   no network
 *   diff    compare normalised definitions; channelTypes -> delete-before-replace  no network
 *   create  DNS/SSRF check, POST /brands (or adopt adoptExistingId: GET + PUT), then poll
 *           GET ?expand=health until active; on failure the brand is deleted again
 *   read    GET /brands/{id}?expand=health; 404 -> empty id (the engine drops it)
 *   update  DNS/SSRF check, GET (current version), PUT only when the live channel differs
 *           (version.mismatch -> re-read, retry once), then GET ?expand=health: a channel that
 *           only needs a fresh probe (it was degraded) is probed, never rewritten
 *   delete  DELETE /brands/{id}; 404 -> already gone
 */
import { type Brand, type BrandSpec, type CallTrace, GenesysApiError, type HealthStatus } from "../genesys";
import {
  type ChannelDefinition,
  type ValidationIssue,
  checkEndpointAddress,
  formatIssues,
  normalizeChannel,
  validateChannel,
} from "../validation";
import { AuditedError, type RuntimeContext, audited } from "./context";

export const CHANNEL_TYPE = "genesys:WebMessagingChannel";

/** Inputs that steer the provider but are not part of the channel definition. */
const RESOURCE_ONLY = ["adoptExistingId"] as const;
/**
 * The channel's id, kept in the inputs once a refresh has read it (see carryBrandId). Never part
 * of the definition, never validated or signed.
 */
const CARRIED_ID = "brandId";

export interface ChannelInputs extends ChannelDefinition {
  adoptExistingId?: string;
  brandId?: string;
}

export interface ChannelOutputs extends ChannelInputs {
  brandId: string;
  status: string;
  healthStatus: HealthStatus | "unknown";
  selfUri: string;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

function splitInputs(raw: Record<string, unknown>): { definition: Record<string, unknown>; extra: Pick<ChannelInputs, "adoptExistingId"> } {
  const definition: Record<string, unknown> = {};
  const extra: Pick<ChannelInputs, "adoptExistingId"> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith("__") || key === CARRIED_ID) continue; // engine-owned (__provider), or our carried id
    if ((RESOURCE_ONLY as readonly string[]).includes(key)) {
      if (value !== undefined && value !== null && value !== "") extra.adoptExistingId = String(value);
      continue;
    }
    definition[key] = value;
  }
  return { definition, extra };
}

function toFailures(issues: ValidationIssue[]): CheckFailure[] {
  return issues.map((i) => ({ property: i.path, reason: i.message }));
}

/**
 * During a preview the engine takes a dynamic resource's checked inputs as the outputs of an
 * update (the dynamic provider cannot preview), so an output missing from them is unknown, and a
 * LoadBalancerWebhook fed this channel's brandId would show `~ brandId => [unknown]` whenever the
 * channel itself has a pending update, drift repaired after a refresh included. An in-place update
 * never changes the id: once the state's inputs hold it (read puts it there), check carries it
 * forward. A change of channelTypes replaces the channel, and its new id is rightly unknown.
 */
function carryBrandId(olds: Record<string, unknown>, definition: Record<string, unknown>): { brandId?: string } {
  const id = olds[CARRIED_ID];
  if (typeof id !== "string" || id === "") return {};
  const sameTypes = (v: unknown) => JSON.stringify(Array.isArray(v) ? [...v].map(String).sort() : v);
  return sameTypes(olds.channelTypes) === sameTypes(definition.channelTypes) ? { brandId: id } : {};
}

export async function checkChannel(
  ctx: RuntimeContext,
  news: Record<string, unknown>,
  olds: Record<string, unknown> = {},
): Promise<{ inputs: Record<string, unknown>; failures: CheckFailure[] }> {
  const { definition, extra } = splitInputs(news);
  const result = validateChannel(definition, { signingKey: ctx.config.signatureKey });
  if (!result.ok) {
    const name = typeof definition.name === "string" ? definition.name : "(unnamed)";
    await ctx.audit.append({
      action: "check",
      resourceType: CHANNEL_TYPE,
      resourceName: name,
      outcome: "failure",
      durationMs: 0,
      error: formatIssues(result.issues),
      payload: definition,
      actor: ctx.config.clientId,
    });
    return { inputs: news, failures: toFailures(result.issues) };
  }
  for (const warning of result.warnings) console.warn(warning);
  // A signature covers the definition as written, and create/update verify it again: a signed
  // definition must reach them verbatim, since its canonical form no longer matches its own
  // signature. Diff normalises both sides, so spelling still never shows up as a change.
  const carried = carryBrandId(olds, definition);
  if (result.value.signature) return { inputs: { ...definition, ...extra, ...carried }, failures: [] };
  return { inputs: { ...normalizeChannel(result.value), ...extra, ...carried }, failures: [] };
}

/** The parts of a definition that the API stores, in a stable shape. */
function specOf(inputs: ChannelInputs): BrandSpec {
  const n = normalizeChannel(inputs);
  return {
    name: n.name,
    description: n.description,
    endpointUrl: n.endpointUrl,
    allowedOrigins: n.allowedOrigins,
    channelTypes: n.channelTypes,
    settings: {
      maxConcurrentSessions: n.settings.maxConcurrentSessions,
      rateLimitThreshold: n.settings.rateLimitThreshold,
      tlsCertificateChain: n.settings.tlsCertificateChain,
      healthCheckInterval: n.settings.healthCheckInterval,
    },
  };
}

/** A live brand as a definition, so refresh reports drift field by field. */
function definitionOf(brand: Brand): ChannelDefinition {
  return normalizeChannel({
    name: brand.name,
    description: brand.description ?? "",
    endpointUrl: brand.endpointUrl,
    allowedOrigins: brand.allowedOrigins,
    channelTypes: brand.channelTypes as ChannelDefinition["channelTypes"],
    settings: {
      maxConcurrentSessions: brand.settings.maxConcurrentSessions,
      rateLimitThreshold: brand.settings.rateLimitThreshold,
      tlsCertificateChain: brand.settings.tlsCertificateChain ?? [],
      healthCheckInterval: brand.settings.healthCheckInterval,
    },
  });
}

function outputsOf(brand: Brand, carried: Pick<ChannelInputs, "adoptExistingId" | "signature">): ChannelOutputs {
  return {
    ...definitionOf(brand),
    ...(carried.signature ? { signature: carried.signature } : {}),
    ...(carried.adoptExistingId ? { adoptExistingId: carried.adoptExistingId } : {}),
    brandId: brand.id,
    status: brand.status,
    healthStatus: brand.settings.healthStatus ?? "unknown",
    selfUri: brand.selfUri ?? "",
  };
}

function sameSpec(a: BrandSpec, b: BrandSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function diffChannel(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
): {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
  diffs: string[];
} {
  const before = specOf(olds as unknown as ChannelInputs);
  const after = specOf(news as unknown as ChannelInputs);
  const diffs: string[] = [];
  for (const key of ["name", "description", "endpointUrl", "allowedOrigins", "channelTypes"] as const) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) diffs.push(key);
  }
  for (const key of Object.keys(after.settings) as (keyof BrandSpec["settings"])[]) {
    if (JSON.stringify(before.settings[key]) !== JSON.stringify(after.settings[key])) diffs.push(`settings.${key}`);
  }
  // The declared state includes "healthy": a channel whose last probe found it degraded or
  // unreachable is drift (refresh reports it) and `up` probes it again (update writes nothing
  // when the definition is unchanged).
  const health = (olds as { healthStatus?: unknown }).healthStatus;
  if (health === "degraded" || health === "unreachable") diffs.push("healthStatus");
  const replaces = diffs.includes("channelTypes") ? ["channelTypes"] : [];
  // Names are unique, so the old channel must be gone before its replacement is created.
  return { changes: diffs.length > 0, replaces, deleteBeforeReplace: replaces.length > 0, diffs };
}

async function assertReachableEndpoint(ctx: RuntimeContext, url: string): Promise<void> {
  const issues = await checkEndpointAddress(url, {
    allowPrivateNetworks: ctx.config.allowPrivateNetworks,
    resolver: ctx.resolver,
    field: "endpointUrl",
  });
  if (issues.length > 0) throw new Error(`channel endpoint refused:\n${formatIssues(issues)}`);
}

/** Re-runs the pure checks: create/update must never trust that check ran with the same key. */
function assertValid(ctx: RuntimeContext, inputs: ChannelInputs): void {
  const { definition } = splitInputs(inputs as unknown as Record<string, unknown>);
  const result = validateChannel(definition, { signingKey: ctx.config.signatureKey });
  if (!result.ok) throw new Error(`channel "${String(definition.name)}" is invalid:\n${formatIssues(result.issues)}`);
}

/** Polls the health probe until `active`; the wait itself is audited as a "health" record. */
async function waitForActive(ctx: RuntimeContext, id: string, trace: CallTrace): Promise<Brand> {
  const started = Date.now();
  const deadline = started + ctx.config.healthTimeoutSeconds * 1000;
  let last: Brand | undefined;
  const record = (outcome: "success" | "failure", error?: string) =>
    ctx.audit.append({
      action: "health",
      resourceType: CHANNEL_TYPE,
      resourceName: last?.name ?? id,
      targetId: id,
      outcome,
      durationMs: Date.now() - started,
      healthStatus: last?.settings.healthStatus ?? "unknown",
      error,
      actor: ctx.config.clientId,
    });
  for (;;) {
    const brand = await ctx.client.brands.get(id, { health: true, trace });
    if (!brand) {
      await record("failure", "the channel disappeared during the health check");
      throw new Error(`channel ${id} disappeared while waiting for its health check`);
    }
    last = brand;
    const status = brand.settings.healthStatus;
    if (status === "active") {
      await record("success");
      return brand;
    }
    if (Date.now() + ctx.config.healthPollIntervalMs > deadline) {
      await record("failure", `not healthy within ${ctx.config.healthTimeoutSeconds} s`);
      throw new Error(
        `channel "${brand.name}" (${id}) did not become healthy within ${ctx.config.healthTimeoutSeconds} s ` +
          `(last health status: ${status ?? "none"}); check that ${brand.endpointUrl} is reachable from Genesys Cloud, ` +
          `or raise genesys:healthTimeoutSeconds`,
      );
    }
    await ctx.sleep(ctx.config.healthPollIntervalMs);
  }
}

export async function createChannel(ctx: RuntimeContext, inputs: ChannelInputs): Promise<{ id: string; outs: ChannelOutputs }> {
  assertValid(ctx, inputs);
  const spec = specOf(inputs);
  const carried = { adoptExistingId: inputs.adoptExistingId, signature: inputs.signature };
  if (inputs.adoptExistingId) return adoptChannel(ctx, inputs.adoptExistingId, spec, carried);
  return audited(
    ctx,
    { action: "create", resourceType: CHANNEL_TYPE, resourceName: spec.name, payload: spec },
    async (trace) => {
      await assertReachableEndpoint(ctx, spec.endpointUrl);
      const brand = await createOrRecover(ctx, spec, trace);
      try {
        const healthy = await waitForActive(ctx, brand.id, trace);
        return { id: brand.id, outs: outputsOf(healthy, carried) };
      } catch (err) {
        // Compensate so no orphan stays behind: the engine records nothing for a failed create.
        // The original error stays the cause (status, code, correlation id), and the audit record
        // names the channel that was made and removed again.
        try {
          await ctx.client.brands.delete(brand.id, trace);
        } catch (cleanupErr) {
          throw new AuditedError(
            `${messageOf(err)}; the channel could not be deleted again (${messageOf(cleanupErr)}): ` +
              `delete channel ${brand.id} by hand, or adopt it with adoptExistingId`,
            { targetId: brand.id },
            { cause: err },
          );
        }
        throw new AuditedError(
          `${messageOf(err)}; the channel was deleted again so nothing is left half-made`,
          { targetId: brand.id },
          { cause: err },
        );
      }
    },
    (r) => ({ targetId: r.id, healthStatus: r.outs.healthStatus }),
  );
}

/**
 * POSTs the channel. A channel with this name that already exists and matches the definition
 * field for field is taken to be this resource's own earlier create whose answer never reached
 * the state (a lost response, or a CLI killed mid-create): it is adopted instead of failing, so
 * `pulumi refresh --clear-pending-creates` followed by `pulumi up` converges. A differing one is
 * someone else's and is never touched.
 */
async function createOrRecover(ctx: RuntimeContext, spec: BrandSpec, trace: CallTrace): Promise<Brand> {
  let existing: Brand | undefined;
  try {
    const { brand, recovered } = await ctx.client.brands.create(spec, trace);
    if (!recovered) return brand;
    existing = brand;
  } catch (err) {
    if (!(err instanceof GenesysApiError) || err.status !== 409) throw err;
    existing = await ctx.client.brands.findByName(spec.name, trace);
    if (!existing) throw err;
  }
  if (!sameSpec(specOf(definitionOf(existing)), spec)) {
    throw new Error(
      `a channel named "${spec.name}" already exists (${existing.id}) and differs from this definition; ` +
        `choose another name, or take it over with adoptExistingId: "${existing.id}"`,
    );
  }
  return existing;
}

async function adoptChannel(
  ctx: RuntimeContext,
  id: string,
  spec: BrandSpec,
  carried: Pick<ChannelInputs, "adoptExistingId" | "signature">,
): Promise<{ id: string; outs: ChannelOutputs }> {
  return audited(
    ctx,
    { action: "adopt", resourceType: CHANNEL_TYPE, resourceName: spec.name, targetId: id, payload: spec },
    async (trace) => {
      await assertReachableEndpoint(ctx, spec.endpointUrl);
      const existing = await ctx.client.brands.get(id, { trace });
      if (!existing) throw new Error(`adoptExistingId: channel ${id} does not exist; remove adoptExistingId to create a new channel`);
      const live = specOf(definitionOf(existing));
      if (JSON.stringify(live.channelTypes) !== JSON.stringify(spec.channelTypes)) {
        throw new Error(
          `adoptExistingId: channel ${id} has channelTypes ${JSON.stringify(live.channelTypes)}, which cannot change after creation; declare those`,
        );
      }
      if (!sameSpec(live, spec)) await putWithVersionRetry(ctx, id, spec, trace);
      const healthy = await waitForActive(ctx, id, trace);
      return { id, outs: outputsOf(healthy, carried) };
    },
    (r) => ({ healthStatus: r.outs.healthStatus }),
  );
}

/**
 * Writes the spec unless the live channel already holds it: an identical PUT would still bump the
 * version and fire a `webchat.brand.updated` event to every webhook for nothing. Returns whether
 * it wrote.
 */
async function putWithVersionRetry(ctx: RuntimeContext, id: string, spec: BrandSpec, trace: CallTrace): Promise<Brand | undefined> {
  for (let round = 1; ; round++) {
    const current = await ctx.client.brands.get(id, { trace });
    if (!current) throw new Error(`channel ${id} no longer exists; run \`pulumi refresh\`, then \`pulumi up\` recreates it`);
    if (sameSpec(specOf(definitionOf(current)), spec)) return undefined;
    try {
      return await ctx.client.brands.update(id, spec, current.version, trace);
    } catch (err) {
      if (err instanceof GenesysApiError && err.code === "version.mismatch" && round < 2) continue;
      throw err;
    }
  }
}

export async function readChannel(
  ctx: RuntimeContext,
  id: string,
  props: Record<string, unknown>,
): Promise<{ id: string; props?: ChannelOutputs; inputs?: Record<string, unknown> }> {
  const name = typeof props.name === "string" ? props.name : id;
  return audited(
    ctx,
    { action: "read", resourceType: CHANNEL_TYPE, resourceName: name, targetId: id },
    async (trace) => {
      const brand = await ctx.client.brands.get(id, { health: true, trace });
      if (!brand) return { id: "" };
      const carried = {
        adoptExistingId: typeof props.adoptExistingId === "string" ? props.adoptExistingId : undefined,
        signature: typeof props.signature === "string" ? props.signature : undefined,
      };
      const outs = outputsOf(brand, carried);
      const inputs: Record<string, unknown> = { ...definitionOf(brand), [CARRIED_ID]: brand.id };
      if (carried.signature) inputs.signature = carried.signature;
      if (carried.adoptExistingId) inputs.adoptExistingId = carried.adoptExistingId;
      return { id: brand.id, props: outs, inputs };
    },
    (r) => ({ healthStatus: r.props?.healthStatus ?? "gone" }),
  );
}

export async function updateChannel(ctx: RuntimeContext, id: string, news: ChannelInputs): Promise<{ outs: ChannelOutputs }> {
  assertValid(ctx, news);
  const spec = specOf(news);
  return audited(
    ctx,
    { action: "update", resourceType: CHANNEL_TYPE, resourceName: spec.name, targetId: id, payload: spec },
    async (trace) => {
      await assertReachableEndpoint(ctx, spec.endpointUrl);
      await putWithVersionRetry(ctx, id, spec, trace);
      const probed = await ctx.client.brands.get(id, { health: true, trace });
      if (!probed) throw new Error(`channel ${id} disappeared during the update; run \`pulumi refresh\``);
      return { outs: outputsOf(probed, { adoptExistingId: news.adoptExistingId, signature: news.signature }) };
    },
    (r) => ({ healthStatus: r.outs.healthStatus }),
  );
}

export async function deleteChannel(ctx: RuntimeContext, id: string, props: Record<string, unknown>): Promise<void> {
  const name = typeof props.name === "string" ? props.name : id;
  await audited(ctx, { action: "delete", resourceType: CHANNEL_TYPE, resourceName: name, targetId: id }, async (trace) => {
    await ctx.client.brands.delete(id, trace);
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
