#!/usr/bin/env node
/**
 * node dist/emulator/cli.js [--port N] [--data FILE|:memory:] [--client ID:SECRET[:SCOPE,SCOPE...]]...
 *   [--rate-limit N/Ss] [--org-rate-limit N/Ss] [--token-ttl SECONDS] [--admin-token T] [--health-probe simulated|connect]
 *   [--webhook-interval-scale F] [--seed N] [--activation-delay-ms MS] [--deletion-delay-ms MS]
 *   [--draft-settle-ms MS] [--quiet]
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs as parseArgsStrict, type ParseArgsConfig } from "node:util";
import { DEFAULT_CLIENT } from "./config";
import { DEFAULT_RATE_LIMIT, DEFAULT_TOKEN_TTL_SECONDS } from "./contract";
import { startEmulator, type EmulatorClient, type EmulatorOptions } from "./index";

const DEFAULT_PORT = 8787;
const DEFAULT_DATA = ".data/emulator.db";

// The defaults are printed from the constants the emulator uses, so --help cannot drift from them.
const USAGE = `Usage: node dist/emulator/cli.js [options]
  --port N                      listen port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 = ephemeral)
  --data FILE|:memory:          SQLite data file (default ${DEFAULT_DATA})
  --client ID:SECRET[:SCOPES]   OAuth client, repeatable (default ${DEFAULT_CLIENT.clientId}:${DEFAULT_CLIENT.clientSecret});
                                SCOPES comma-separated, names keep their ':', e.g.
                                ro:ro-secret:webchat:brand:read; no SCOPES = every scope
  --rate-limit N/Ss             requests per window per token, e.g. 300/60s or 5/1s
                                (default ${DEFAULT_RATE_LIMIT.requests}/${DEFAULT_RATE_LIMIT.perSeconds}s)
  --org-rate-limit N/Ss         requests per window for every token together (default none)
  --token-ttl SECONDS           access token lifetime (default ${DEFAULT_TOKEN_TTL_SECONDS})
  --admin-token T               enable /__admin (or set GENESYS_EMULATOR_ADMIN_TOKEN; default off)
  --health-probe MODE           simulated (default) or connect
  --webhook-interval-scale F    multiply webhook retry intervals (default 1)
  --seed N                      seed for probabilistic faults (default random)
  --activation-delay-ms MS      web deployments stay Pending this long (default 1000)
  --deletion-delay-ms MS        deleted web deployments/configurations stay Deleting this long (default 500)
  --draft-settle-ms MS          a changed configuration draft stays Pending this long (default 200)
  --quiet                       no diagnostics on stderr
  --help                        this text`;

export class UsageError extends Error {}

/** The flags with a value; the rest (--quiet, --help) are switches. */
const OPTIONS = {
  port: { type: "string" },
  data: { type: "string" },
  client: { type: "string", multiple: true },
  "rate-limit": { type: "string" },
  "org-rate-limit": { type: "string" },
  "token-ttl": { type: "string" },
  "admin-token": { type: "string" },
  "health-probe": { type: "string" },
  "webhook-interval-scale": { type: "string" },
  seed: { type: "string" },
  "activation-delay-ms": { type: "string" },
  "deletion-delay-ms": { type: "string" },
  "draft-settle-ms": { type: "string" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

const TIMING_FLAGS = {
  "activation-delay-ms": "activationDelayMs",
  "deletion-delay-ms": "deletionDelayMs",
  "draft-settle-ms": "draftSettleMs",
} as const;

function int(flag: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new UsageError(`${flag} must be an integer between ${min} and ${max}, got "${v}"`);
  return Number(v);
}

/**
 * `ID:SECRET[:SCOPES]`. Scope names contain ':' themselves (webchat:brand:read), so only the first
 * two colons separate fields; everything after the second is the comma-separated scope list. OAuth's
 * Basic authentication cannot carry a ':' in a client id either, and the secret is ours to choose.
 */
function parseClient(value: string): EmulatorClient {
  const first = value.indexOf(":");
  const second = first < 0 ? -1 : value.indexOf(":", first + 1);
  const clientId = first < 0 ? value : value.slice(0, first);
  const clientSecret = first < 0 ? "" : second < 0 ? value.slice(first + 1) : value.slice(first + 1, second);
  if (!clientId || !clientSecret) {
    throw new UsageError(`--client must be ID:SECRET[:SCOPES], e.g. ro:ro-secret:webchat:brand:read (got "${value}")`);
  }
  if (second < 0) return { clientId, clientSecret };
  const list = value.slice(second + 1);
  // "ID:SECRET:" is a client with no scope at all, useful to see a 403.
  if (list === "") return { clientId, clientSecret, scopes: [] };
  const scopes = list.split(",");
  if (scopes.some((s) => s.trim() === "")) {
    throw new UsageError(`--client "${clientId}": empty scope in "${list}"; list scopes separated by single commas`);
  }
  return { clientId, clientSecret, scopes: scopes.map((s) => s.trim()) };
}

/**
 * node:util refuses a value that starts with "-" ("--seed -5") as ambiguous; here only a "--flag" is a
 * missing value, so such a value is handed over as "--seed=-5" and its own check names the bound.
 */
function attachDashValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const option = arg.startsWith("--") ? (OPTIONS as Record<string, { type: string }>)[arg.slice(2)] : undefined;
    if (option?.type === "string" && next !== undefined && /^-[^-]/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

/** node:util's parser, strict: an unknown flag, a missing value or a stray argument is a UsageError. */
function parseFlags(argv: string[]) {
  try {
    return parseArgsStrict({ args: attachDashValues(argv), options: OPTIONS, strict: true, allowPositionals: false });
  } catch (err) {
    if (String((err as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS"))
      throw new UsageError((err as Error).message, { cause: err });
    throw err;
  }
}

function nonEmpty(flag: string, value: string, what: string): string {
  if (value === "") throw new UsageError(`--${flag} ${what}`);
  return value;
}

function rate(flag: string, value: string): { requests: number; perSeconds: number } {
  const m = /^(\d+)\/(\d+(?:\.\d+)?)s?$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[2]) <= 0) throw new UsageError(`--${flag} must look like 300/60s, got "${value}"`);
  return { requests: Number(m[1]), perSeconds: Number(m[2]) };
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = {}): EmulatorOptions & { help?: boolean } {
  const { values: v } = parseFlags(argv);
  const opts: EmulatorOptions & { help?: boolean } = { port: DEFAULT_PORT, data: DEFAULT_DATA };
  if (v.help) opts.help = true;
  if (v.quiet) opts.quiet = true;
  if (v.port !== undefined) opts.port = int("--port", v.port, 0, 65535);
  if (v.data !== undefined) opts.data = nonEmpty("data", v.data, "needs a file path or :memory:");
  if (v.client !== undefined) opts.clients = v.client.map(parseClient);
  if (v["rate-limit"] !== undefined) opts.rateLimit = rate("rate-limit", v["rate-limit"]);
  if (v["org-rate-limit"] !== undefined) opts.orgRateLimit = rate("org-rate-limit", v["org-rate-limit"]);
  if (v["token-ttl"] !== undefined) opts.tokenTtlSeconds = int("--token-ttl", v["token-ttl"], 1, 10_000_000);
  if (v["admin-token"] !== undefined) opts.adminToken = nonEmpty("admin-token", v["admin-token"], "must not be empty");
  const probe = v["health-probe"];
  if (probe !== undefined) {
    if (probe !== "simulated" && probe !== "connect") throw new UsageError(`--health-probe must be simulated or connect, got "${probe}"`);
    opts.healthProbe = probe;
  }
  const scale = v["webhook-interval-scale"];
  if (scale !== undefined) {
    const f = Number(scale);
    if (!Number.isFinite(f) || f <= 0) throw new UsageError(`--webhook-interval-scale must be a positive number, got "${scale}"`);
    opts.webhookIntervalScale = f;
  }
  if (v.seed !== undefined) opts.seed = int("--seed", v.seed, 0, 2 ** 31 - 1);
  for (const [flag, key] of Object.entries(TIMING_FLAGS) as [
    keyof typeof TIMING_FLAGS,
    (typeof TIMING_FLAGS)[keyof typeof TIMING_FLAGS],
  ][]) {
    const value = v[flag];
    if (value !== undefined) opts.webDeployments = { ...opts.webDeployments, [key]: int(`--${flag}`, value, 0, 600_000) };
  }
  // The environment keeps the admin token out of the process list when a flag would expose it.
  if (opts.adminToken === undefined && env.GENESYS_EMULATOR_ADMIN_TOKEN) opts.adminToken = env.GENESYS_EMULATOR_ADMIN_TOKEN;
  return opts;
}

async function main(): Promise<void> {
  let opts: ReturnType<typeof parseArgs>;
  try {
    opts = parseArgs(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`genesys-emulator: ${err.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const { help: _help, ...options } = opts;
  if (options.data && options.data !== ":memory:") mkdirSync(path.dirname(path.resolve(options.data)), { recursive: true });

  const emulator = await startEmulator(options);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`genesys-emulator: error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // Announce readiness only once the signal handlers are in place: a supervisor that stops us the
  // moment it reads this line must get a clean shutdown, not the default signal death.
  process.stdout.write(`Genesys emulator listening on ${emulator.url}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`genesys-emulator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
