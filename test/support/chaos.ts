/**
 * Shared machinery for the chaos suite (test/chaos): one replayable seed per run, the emulator
 * as a child process that can be killed with SIGKILL and restarted on the same data file and
 * port, and the secret sweep that every scenario ends with.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomInt } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import Database from "better-sqlite3";
import { mulberry32 } from "../../emulator/faults";
import { repoRoot } from "../../scripts/pulumi-env";
import type { Brand, Webhook } from "../../provider/genesys";
import { apiClient } from "./genesys";

export interface ChaosSeed {
  seed: number;
  /** A deterministic stream for one named purpose, so adding a draw in one place never shifts another. */
  stream(purpose: string): () => number;
  /** A deterministic integer for one named purpose (a fault rule's seed, say). */
  int(purpose: string): number;
}

/** When the process with this pid started (Linux), so a reused pid never names an old run. */
function startTimeOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[19]!;
  } catch {
    return "0";
  }
}

/**
 * One fresh seed per vitest run, shared by every chaos file: vitest forks one worker per file
 * from the same parent, so the first file to ask draws it and publishes it atomically (link
 * fails if another file won) under the parent's pid and start time; the others read it.
 */
function runSeed(): number {
  const dir = path.join(os.tmpdir(), "gwm-chaos-seeds");
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${process.ppid}-${startTimeOf(process.ppid)}`);
  if (!fs.existsSync(file)) {
    const draft = `${file}.${process.pid}`;
    fs.writeFileSync(draft, String(randomInt(2 ** 31 - 1)));
    try {
      fs.linkSync(draft, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    } finally {
      fs.rmSync(draft, { force: true });
    }
  }
  return Number(fs.readFileSync(file, "utf8"));
}

/**
 * CHAOS_SEED replays a run; otherwise the run's fresh seed. Printed in the form the README tells
 * people to look for, so a failing CI log is enough to replay the same fault decisions and kill
 * moments. Each scenario derives its own streams from it, so scenarios never shift each other.
 */
export function chaosSeed(scenario: string): ChaosSeed {
  const fromEnv = process.env.CHAOS_SEED;
  let seed: number;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!/^\d+$/.test(fromEnv) || Number(fromEnv) > 2 ** 31 - 1)
      throw new Error(`CHAOS_SEED must be an integer from 0 to ${2 ** 31 - 1}, got "${fromEnv}"`);
    seed = Number(fromEnv);
  } else {
    seed = runSeed();
  }
  console.log(`chaos seed: ${seed} (${scenario}; replay with CHAOS_SEED=${seed})`);
  const derive = (purpose: string) => createHash("sha256").update(`${seed}:${scenario}:${purpose}`).digest().readUInt32BE(0) & 0x7fffffff;
  return { seed, stream: (purpose) => mulberry32(derive(purpose)), int: derive };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A port nobody listens on right now, so a restarted emulator can come back on the same URL. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface EmulatorProcessOptions {
  port: number;
  data: string;
  client: { clientId: string; clientSecret: string };
  adminToken: string;
  seed?: number;
  rateLimit?: string;
  tokenTtlSeconds?: number;
  webhookIntervalScale?: number;
}

const LISTENING = /Genesys emulator listening on (http:\/\/127\.0\.0\.1:\d+)/;

/** The emulator CLI (dist/emulator/cli.js) as a child process: a crash is a real SIGKILL. */
export class EmulatorProcess {
  private output = "";

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly opts: EmulatorProcessOptions,
  ) {}

  /**
   * Starts the emulator CLI. With `port: 0` the CLI binds a port of its own choosing (no probe
   * port that another process could take before the child binds it); the port it got is kept in
   * `opts`, so a restart comes back on the same URL.
   */
  static async start(opts: EmulatorProcessOptions): Promise<EmulatorProcess> {
    const cli = path.join(repoRoot(), "dist", "emulator", "cli.js");
    if (!fs.existsSync(cli)) throw new Error("dist/emulator/cli.js is missing: run `npm run build` first");
    const args = [
      cli,
      "--port",
      String(opts.port),
      "--data",
      opts.data,
      "--client",
      `${opts.client.clientId}:${opts.client.clientSecret}`,
      "--quiet",
    ];
    if (opts.seed !== undefined) args.push("--seed", String(opts.seed));
    if (opts.rateLimit) args.push("--rate-limit", opts.rateLimit);
    if (opts.tokenTtlSeconds) args.push("--token-ttl", String(opts.tokenTtlSeconds));
    if (opts.webhookIntervalScale) args.push("--webhook-interval-scale", String(opts.webhookIntervalScale));
    // The admin token goes through the environment, which the process list does not show.
    const child = spawn(process.execPath, args, {
      cwd: repoRoot(),
      env: { ...process.env, GENESYS_EMULATOR_ADMIN_TOKEN: opts.adminToken },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    // Generous: on a loaded 2-core machine a Node start alone can take seconds.
    const deadline = Date.now() + 60_000;
    while (!LISTENING.test(output)) {
      const exited = child.exitCode !== null || child.signalCode !== null;
      if (exited && /EADDRINUSE/.test(output)) throw new PortBusyError(opts.port, output);
      if (exited || Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`the emulator did not start on port ${opts.port}: ${output}`);
      }
      await sleep(20);
    }
    const url = LISTENING.exec(output)![1]!;
    const started = new EmulatorProcess(child, url, { ...opts, port: Number(new URL(url).port) });
    started.output = output;
    child.stdout!.on("data", (d: Buffer) => (started.output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (started.output += d.toString()));
    return started;
  }

  get pid(): number {
    return this.child.pid!;
  }

  logs(): string {
    return this.output;
  }

  /** A crash: no shutdown hook runs, SQLite is left exactly as the last committed transaction. */
  async kill9(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    process.kill(this.pid, "SIGKILL");
    await exited;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }

  /**
   * The same data file, port and flags: what an operator's restart does. While the server was
   * down, another process on the machine (a test worker binding port 0, an outgoing connection's
   * local port) may hold the port for a while: the bind is retried until `busyWindowMs` has
   * passed, then the restart fails saying so.
   */
  async restart(busyWindowMs = 60_000, onPortBusy?: () => void): Promise<EmulatorProcess> {
    const giveUpAt = Date.now() + busyWindowMs;
    for (;;) {
      try {
        return await EmulatorProcess.start(this.opts);
      } catch (err) {
        if (err instanceof PortBusyError) onPortBusy?.();
        if (!(err instanceof PortBusyError) || Date.now() > giveUpAt) {
          if (err instanceof PortBusyError)
            throw new Error(
              `the emulator could not come back on port ${this.opts.port}: another process held it for ${busyWindowMs / 1000} s ` +
                `after the crash, and the stack's genesys:apiUrl names that port`,
              { cause: err },
            );
          throw err;
        }
        await sleep(250);
      }
    }
  }
}

/** The emulator exited because its port was taken (EADDRINUSE). */
class PortBusyError extends Error {
  constructor(
    readonly port: number,
    output: string,
  ) {
    super(`port ${port} is in use: ${output.trim()}`);
  }
}

/** Every brand and webhook the emulator holds, through the public API with the owner's client. */
export async function inventory(
  apiUrl: string,
  creds: { clientId: string; clientSecret: string },
): Promise<{ brands: Brand[]; webhooks: Webhook[] }> {
  const client = apiClient(apiUrl, creds.clientId, creds.clientSecret);
  const brands = await client.transport.request<{ entities: Brand[] }>({
    operation: "list brands",
    method: "GET",
    path: "/api/v2/webchat/brands",
    query: { pageSize: 500, pageNumber: 1 },
  });
  const webhooks = await client.transport.request<{ entities: Webhook[] }>({
    operation: "list webhooks",
    method: "GET",
    path: "/api/v2/webhooks/webhooks",
    query: { pageSize: 500, pageNumber: 1 },
  });
  return { brands: brands.data.entities, webhooks: webhooks.data.entities };
}

/** Asks the emulator for an access token with the same client the provider uses. */
export async function issueToken(apiUrl: string, creds: { clientId: string; clientSecret: string }): Promise<string> {
  const basic = Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString("base64");
  const res = await fetch(`${apiUrl}/oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** The emulator's tokens are 32 random bytes in base64url: 43 characters from this alphabet. */
export const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const TOKEN_CANDIDATES = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;

/**
 * SHA-256 of every token the emulator ever issued, read from its data file. The emulator keeps
 * only these hashes, so the sweep can test any token-shaped string in the outputs against every
 * token handed out, including the ones only the provider process ever saw.
 */
export function issuedTokenHashes(dataFile: string): Set<string> {
  const db = new Database(dataFile, { readonly: true, fileMustExist: true });
  try {
    return new Set(db.prepare("SELECT hash FROM tokens").pluck().all() as string[]);
  } finally {
    db.close();
  }
}

/**
 * The brand ids a crashed emulator left on disk: its data file is copied with its WAL (the
 * committed transactions a SIGKILL leaves there) and opened, so SQLite's recovery runs on the
 * copy and the evidence is read without the restarted server or the provider touching it.
 */
export function brandIdsOnDisk(dataFile: string, scratchDir: string): Set<string> {
  fs.mkdirSync(scratchDir, { recursive: true });
  const copy = path.join(scratchDir, path.basename(dataFile));
  for (const suffix of ["", "-wal", "-shm"]) {
    if (fs.existsSync(dataFile + suffix)) fs.copyFileSync(dataFile + suffix, copy + suffix);
  }
  const db = new Database(copy, { fileMustExist: true });
  try {
    return new Set(db.prepare("SELECT id FROM brands").pluck().all() as string[]);
  } finally {
    db.close();
  }
}

export interface SweepFinding {
  where: string;
  what: string;
}

/**
 * Looks for each secret (by exact value) and for any issued access token in each text. Findings
 * name the place and the kind of secret, never the value, so a failing report leaks nothing.
 */
export function sweepSecrets(texts: Record<string, string>, secrets: Record<string, string>, tokenHashes: Set<string>): SweepFinding[] {
  const findings: SweepFinding[] = [];
  for (const [where, text] of Object.entries(texts)) {
    for (const [what, value] of Object.entries(secrets)) {
      if (value.length > 0 && text.includes(value)) findings.push({ where, what });
    }
    if (/Bearer\s+[A-Za-z0-9._~+/-]{16,}|access_token"?\s*[:=]\s*"?[A-Za-z0-9]/i.test(text))
      findings.push({ where, what: "a bearer token or access_token field" });
    for (const candidate of text.match(TOKEN_CANDIDATES) ?? []) {
      if (tokenHashes.has(createHash("sha256").update(candidate).digest("hex")))
        findings.push({ where, what: "an access token the emulator issued" });
    }
  }
  return findings;
}
