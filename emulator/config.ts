import { systemClock, type EmulatorClock } from "./clock";
import { ALL_SCOPES, DEFAULT_RATE_LIMIT, DEFAULT_TOKEN_TTL_SECONDS } from "./contract";
import { ALL_WEBDEPLOYMENT_SCOPES, DEFAULT_TIMING, type WebDeploymentTiming } from "./webdeployments/contract";

/** Every scope the emulator knows: the source design's and the web deployments surface's. */
const EMULATOR_SCOPES: readonly string[] = [...new Set([...ALL_SCOPES, ...ALL_WEBDEPLOYMENT_SCOPES])];

export interface EmulatorClient {
  clientId: string;
  clientSecret: string;
  /** Defaults to every scope the emulator knows (EMULATOR_SCOPES). */
  scopes?: string[];
}

export interface EmulatorOptions {
  /** Default 0 (ephemeral) for tests; the CLI defaults to 8787. */
  port?: number;
  /** Default "127.0.0.1"; only loopback addresses are accepted. */
  host?: string;
  /** SQLite file path or ":memory:" (the default). */
  data?: string;
  /** Default [{ clientId: "dev-client", clientSecret: "dev-secret" }]. */
  clients?: EmulatorClient[];
  /** Per access token; default 300 per 60 s (the contract's). */
  rateLimit?: { requests: number; perSeconds: number };
  /** Every token of every client together (one org's allowance); default none. */
  orgRateLimit?: { requests: number; perSeconds: number };
  /** Default 86400. */
  tokenTtlSeconds?: number;
  /** Enables /__admin when set. */
  adminToken?: string;
  /** Default "simulated". */
  healthProbe?: "simulated" | "connect";
  /** Multiplies each webhook's retryInterval (tests use e.g. 0.01); default 1. */
  webhookIntervalScale?: number;
  /** Seeds the PRNG behind probabilistic faults, so that a failing run can be replayed. */
  seed?: number;
  /** Silences the emulator's own diagnostics on stderr. */
  quiet?: boolean;
  /** The source of time (default: the system clock); tests pass a clock they advance themselves. */
  clock?: EmulatorClock;
  /** Delays of the web deployments surface (activation, deletion, draft processing), in ms. */
  webDeployments?: Partial<WebDeploymentTiming>;
}

export interface ResolvedConfig {
  port: number;
  host: string;
  data: string;
  clients: Required<EmulatorClient>[];
  rateLimit: { requests: number; perSeconds: number };
  orgRateLimit: { requests: number; perSeconds: number } | undefined;
  tokenTtlSeconds: number;
  adminToken: string | undefined;
  healthProbe: "simulated" | "connect";
  webhookIntervalScale: number;
  seed: number | undefined;
  quiet: boolean;
  clock: EmulatorClock;
  webDeployments: WebDeploymentTiming;
}

export const DEFAULT_CLIENT: EmulatorClient = { clientId: "dev-client", clientSecret: "dev-secret" };

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

function positive(name: string, value: number, integer: boolean): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`${name} must be a positive ${integer ? "integer" : "number"}, got ${String(value)}`);
  }
  return value;
}

function resolveTiming(timing: Partial<WebDeploymentTiming>): WebDeploymentTiming {
  const out = { ...DEFAULT_TIMING };
  for (const key of Object.keys(DEFAULT_TIMING) as (keyof WebDeploymentTiming)[]) {
    const v = timing[key];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < 0 || v > 600_000)
      throw new Error(`webDeployments.${key} must be an integer 0..600000 (ms), got ${String(v)}`);
    out[key] = v;
  }
  return out;
}

export function resolveConfig(opts: EmulatorOptions = {}): ResolvedConfig {
  const host = opts.host ?? "127.0.0.1";
  // The emulator hands out tokens for fixed, well-known credentials: it must never be reachable off-host.
  if (!isLoopbackHost(host)) throw new Error(`host must be a loopback address, got ${host}`);
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port must be 0..65535, got ${port}`);

  const clients = (opts.clients ?? [DEFAULT_CLIENT]).map((c) => {
    if (!c.clientId || !c.clientSecret) throw new Error("every client needs a clientId and a clientSecret");
    return { clientId: c.clientId, clientSecret: c.clientSecret, scopes: [...(c.scopes ?? EMULATOR_SCOPES)] };
  });
  if (clients.length === 0) throw new Error("at least one OAuth client is required");
  if (new Set(clients.map((c) => c.clientId)).size !== clients.length) throw new Error("clientIds must be unique");

  const rateLimit = opts.rateLimit ?? DEFAULT_RATE_LIMIT;
  positive("rateLimit.requests", rateLimit.requests, true);
  positive("rateLimit.perSeconds", rateLimit.perSeconds, false);
  if (opts.orgRateLimit) {
    positive("orgRateLimit.requests", opts.orgRateLimit.requests, true);
    positive("orgRateLimit.perSeconds", opts.orgRateLimit.perSeconds, false);
  }

  const healthProbe = opts.healthProbe ?? "simulated";
  if (healthProbe !== "simulated" && healthProbe !== "connect") {
    throw new Error(`healthProbe must be "simulated" or "connect", got ${String(healthProbe)}`);
  }
  if (opts.adminToken !== undefined && opts.adminToken.length === 0) throw new Error("adminToken must not be empty");
  if (opts.seed !== undefined && !Number.isInteger(opts.seed)) throw new Error("seed must be an integer");
  if (opts.clock !== undefined && (typeof opts.clock.now !== "function" || typeof opts.clock.sleep !== "function")) {
    throw new Error("clock must have now() and sleep(ms, signal) functions");
  }

  return {
    port,
    host,
    data: opts.data ?? ":memory:",
    clients,
    rateLimit: { ...rateLimit },
    orgRateLimit: opts.orgRateLimit ? { ...opts.orgRateLimit } : undefined,
    tokenTtlSeconds: positive("tokenTtlSeconds", opts.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS, true),
    adminToken: opts.adminToken,
    healthProbe,
    webhookIntervalScale: positive("webhookIntervalScale", opts.webhookIntervalScale ?? 1, false),
    seed: opts.seed,
    quiet: opts.quiet ?? false,
    clock: opts.clock ?? systemClock,
    webDeployments: resolveTiming(opts.webDeployments ?? {}),
  };
}
