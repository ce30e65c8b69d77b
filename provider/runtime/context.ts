/**
 * What every provider operation needs, built once per provider process from stack config:
 * the settings, one Genesys client (so one token cache and one pacing gate for all resources)
 * and the audit trail.
 */
import { AuditTrail, PostgresAuditTrail, type AuditEvent } from "../audit";
import { type ConfigSource, type ProviderConfig, loadProviderConfig, secretsOf } from "../config";
import { type CallTrace, type GenesysClient, createGenesysClient, newTrace } from "../genesys";
import { type Resolver, type ValidationIssue, formatIssues, systemResolver } from "../validation";

export interface RuntimeContext {
  config: ProviderConfig;
  client: GenesysClient;
  audit: AuditTrail;
  resolver: Resolver;
  sleep: (ms: number) => Promise<void>;
}

export function buildContext(config: ProviderConfig, overrides: Partial<Omit<RuntimeContext, "config">> = {}): RuntimeContext {
  return {
    config,
    client:
      overrides.client ??
      createGenesysClient({
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        region: config.region,
        apiUrl: config.apiUrl,
        authUrl: config.authUrl,
        maxRequestsPerSecond: config.maxRequestsPerSecond,
        coordinationUrl: config.coordinationUrl,
        orgMaxRequestsPerSecond: config.orgMaxRequestsPerSecond,
        rateWindowSeconds: config.rateWindowSeconds,
        tokenPoolSize: config.tokenPoolSize,
      }),
    audit:
      overrides.audit ??
      // Team mode: one org-wide chain in PostgreSQL instead of this runner's files.
      (config.auditUrl
        ? new PostgresAuditTrail({ url: config.auditUrl, secrets: secretsOf(config) })
        : new AuditTrail({ dir: config.auditDir, secrets: secretsOf(config) })),
    resolver: overrides.resolver ?? systemResolver,
    sleep: overrides.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
}

let current: RuntimeContext | undefined;
let currentKey: string | undefined;

/** Called from the dynamic provider's configure; the same settings reuse the same client. */
export function configureFromSource(source: ConfigSource): RuntimeContext {
  const config = loadProviderConfig(source);
  const key = JSON.stringify(config);
  if (!current || currentKey !== key) {
    current = buildContext(config);
    currentKey = key;
  }
  return current;
}

/** The context configured so far, if any, without configuring one (for the engine-facing error path). */
export function configuredContext(): RuntimeContext | undefined {
  return current;
}

export function currentContext(): RuntimeContext {
  if (!current) {
    // The engine configures a provider before any call; reaching here means stack config is absent.
    return configureFromSource(() => undefined);
  }
  return current;
}

type Audited = Omit<AuditEvent, "outcome" | "durationMs" | "attempts" | "retries" | "correlationIds" | "error">;

/**
 * A failure that knows something its audit record must say (the channel a failed create made and
 * removed again). The error that caused it stays its `cause`, with status, code and correlation id.
 */
export class AuditedError extends Error {
  constructor(
    message: string,
    readonly audit: Pick<AuditEvent, "targetId">,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AuditedError";
  }
}

/**
 * Runs one provider operation and appends its audit record, successful or not, before the
 * operation reports back to the engine. `failuresOnly`: a success leaves no record (checks).
 */
export async function audited<T>(
  ctx: RuntimeContext,
  event: Audited,
  run: (trace: CallTrace) => Promise<T>,
  describe?: (result: T) => Partial<AuditEvent>,
  opts: { failuresOnly?: boolean } = {},
): Promise<T> {
  const trace = newTrace();
  const started = Date.now();
  try {
    const result = await run(trace);
    if (opts.failuresOnly) return result;
    await ctx.audit.append({
      ...event,
      ...(describe ? describe(result) : {}),
      outcome: "success",
      durationMs: Date.now() - started,
      attempts: trace.attempts,
      retries: trace.retries,
      correlationIds: trace.correlationIds,
      actor: ctx.config.clientId,
    });
    return result;
  } catch (err) {
    await ctx.audit.append({
      ...event,
      outcome: "failure",
      durationMs: Date.now() - started,
      attempts: trace.attempts,
      retries: trace.retries,
      correlationIds: trace.correlationIds,
      ...(err instanceof AuditedError ? err.audit : {}),
      error: err instanceof Error ? err.message : String(err),
      actor: ctx.config.clientId,
    });
    throw err;
  }
}

/** A property the engine shows beside a refused input at preview. */
export interface CheckFailure {
  property: string;
  reason: string;
}

class CheckRefused extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(formatIssues(issues));
    this.name = "CheckRefused";
  }
}

/**
 * A check, audited through the same path as every other operation. Only a refusal is recorded:
 * a check that passes runs for every resource on every preview and changes nothing.
 */
export async function auditedCheck<T>(
  ctx: RuntimeContext,
  resourceType: string,
  definition: Record<string, unknown>,
  validate: () => { ok: true; value: T } | { ok: false; issues: ValidationIssue[] },
): Promise<{ ok: true; value: T } | { ok: false; failures: CheckFailure[] }> {
  const resourceName = typeof definition.name === "string" ? definition.name : "(unnamed)";
  try {
    const value = await audited(
      ctx,
      { action: "check", resourceType, resourceName, payload: definition },
      async () => {
        const result = validate();
        if (!result.ok) throw new CheckRefused(result.issues);
        return result.value;
      },
      undefined,
      { failuresOnly: true },
    );
    return { ok: true, value };
  } catch (err) {
    if (!(err instanceof CheckRefused)) throw err;
    return { ok: false, failures: err.issues.map((i) => ({ property: i.path, reason: i.message })) };
  }
}

/**
 * The audit record of a wait for an object to become healthy (a channel's probe, a deployment's
 * `Active`), started now. Its HTTP calls belong to the operation that waits, whose own record
 * counts them: this one says how long the wait took and the last status it saw.
 */
export function healthRecord(ctx: RuntimeContext, resourceType: string, id: string) {
  const started = Date.now();
  return (outcome: "success" | "failure", last: { name?: string; status?: string }, error?: string) =>
    ctx.audit.append({
      action: "health",
      resourceType,
      resourceName: last.name ?? id,
      targetId: id,
      outcome,
      durationMs: Date.now() - started,
      healthStatus: last.status ?? "unknown",
      error,
      actor: ctx.config.clientId,
    });
}
