#!/usr/bin/env node
/**
 * node dist/emulator/cli.js [--port N] [--data FILE|:memory:] [--client ID:SECRET[:SCOPE,SCOPE...]]...
 *   [--rate-limit N/Ss] [--org-rate-limit N/Ss] [--token-ttl SECONDS] [--admin-token T] [--health-probe simulated|connect]
 *   [--webhook-interval-scale F] [--seed N] [--quiet]
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { startEmulator, type EmulatorClient, type EmulatorOptions } from "./index";

export const USAGE = `Usage: node dist/emulator/cli.js [options]
  --port N                      listen port on 127.0.0.1 (default 8787; 0 = ephemeral)
  --data FILE|:memory:          SQLite data file (default .data/emulator.db)
  --client ID:SECRET[:SCOPES]   OAuth client, repeatable; SCOPES comma-separated (default all)
  --rate-limit N/Ss             requests per window per token, e.g. 300/60s or 5/1s
  --org-rate-limit N/Ss         requests per window for every token together (default none)
  --token-ttl SECONDS           access token lifetime (default 86400)
  --admin-token T               enable /__admin (or set GENESYS_EMULATOR_ADMIN_TOKEN)
  --health-probe MODE           simulated (default) or connect
  --webhook-interval-scale F    multiply webhook retry intervals (default 1)
  --seed N                      seed for probabilistic faults
  --quiet                       no diagnostics on stderr
  --help                        this text`;

export class UsageError extends Error {}

const VALUE_FLAGS = new Set([
  "--port",
  "--data",
  "--client",
  "--rate-limit",
  "--org-rate-limit",
  "--token-ttl",
  "--admin-token",
  "--health-probe",
  "--webhook-interval-scale",
  "--seed",
]);

function int(flag: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw new UsageError(`${flag} must be an integer between ${min} and ${max}, got "${v}"`);
  return Number(v);
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = {}): EmulatorOptions & { help?: boolean } {
  const opts: EmulatorOptions & { help?: boolean } = { port: 8787, data: ".data/emulator.db" };
  const clients: EmulatorClient[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (flag === "--help" || flag === "-h") {
      opts.help = true;
      continue;
    }
    if (flag === "--quiet") {
      opts.quiet = true;
      continue;
    }
    if (!VALUE_FLAGS.has(flag)) throw new UsageError(`unknown flag ${flag}`);
    const value = eq > 0 && arg.startsWith("--") ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (value.startsWith("--") && eq < 0)) throw new UsageError(`${flag} needs a value`);
    switch (flag) {
      case "--port":
        opts.port = int(flag, value, 0, 65535);
        break;
      case "--data":
        if (value === "") throw new UsageError("--data needs a file path or :memory:");
        opts.data = value;
        break;
      case "--client": {
        const [clientId, clientSecret, scopes, ...rest] = value.split(":");
        if (!clientId || !clientSecret || rest.length > 0) throw new UsageError(`--client must be ID:SECRET[:SCOPE,SCOPE...]`);
        clients.push({ clientId, clientSecret, ...(scopes !== undefined ? { scopes: scopes.split(",").filter(Boolean) } : {}) });
        break;
      }
      case "--rate-limit":
      case "--org-rate-limit": {
        const m = /^(\d+)\/(\d+(?:\.\d+)?)s?$/.exec(value);
        if (!m || Number(m[1]) < 1 || Number(m[2]) <= 0) throw new UsageError(`${flag} must look like 300/60s, got "${value}"`);
        opts[flag === "--rate-limit" ? "rateLimit" : "orgRateLimit"] = { requests: Number(m[1]), perSeconds: Number(m[2]) };
        break;
      }
      case "--token-ttl":
        opts.tokenTtlSeconds = int(flag, value, 1, 10_000_000);
        break;
      case "--admin-token":
        if (value === "") throw new UsageError("--admin-token must not be empty");
        opts.adminToken = value;
        break;
      case "--health-probe":
        if (value !== "simulated" && value !== "connect")
          throw new UsageError(`--health-probe must be simulated or connect, got "${value}"`);
        opts.healthProbe = value;
        break;
      case "--webhook-interval-scale": {
        const f = Number(value);
        if (!Number.isFinite(f) || f <= 0) throw new UsageError(`--webhook-interval-scale must be a positive number, got "${value}"`);
        opts.webhookIntervalScale = f;
        break;
      }
      case "--seed":
        opts.seed = int(flag, value, 0, 2 ** 31 - 1);
        break;
    }
  }
  if (clients.length > 0) opts.clients = clients;
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
