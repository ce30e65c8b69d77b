/**
 * `npm start`: the whole dev flow on a laptop. Prepares the Pulumi toolchain if needed, starts the
 * embedded Genesys emulator and the load balancer receiver unless they already run, brings the
 * dev stack up with the real `pulumi up`, prints each channel's id and health and the receiver's
 * pool, then stops what it started.
 *
 *   npm start                 the above
 *   npm start -- --keep       leave the emulator and the receiver running, detached, and exit
 *   npm start -- --stop       stop what an earlier --keep left running
 *   npm start -- --lb haproxy also run a throwaway HAProxy that the receiver keeps equal to the pool,
 *                             and print its backend's servers next to the pool
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { type RunningHaproxy, startHaproxy } from "./haproxy";
import { printDeployments } from "./print-deployments";
import { pulumiEnv, pulumiSettings, repoRoot, toolsBin, withoutProjectVariables } from "./pulumi-env";
import {
  type KeptService,
  type StartedService,
  isListening,
  keptServices,
  startKeptService,
  startService,
  stopKeptService,
} from "./services";

const EMULATOR_PORT = 8787;
const RECEIVER_PORT = 8788;
const STACK = "dev";
const USAGE = "usage: npm start [-- --keep | --stop | --lb haproxy]";

interface StartOptions {
  keep: boolean;
  stop: boolean;
  lb?: "haproxy";
}

class UsageError extends Error {}

function parseStartArgs(argv: string[]): StartOptions {
  let values: { keep?: boolean; stop?: boolean; lb?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { keep: { type: "boolean" }, stop: { type: "boolean" }, lb: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    // parseArgs names the option and what is wrong with it (unknown, missing value, stray argument).
    throw new UsageError(`${(err as Error).message}; ${USAGE}`, { cause: err });
  }
  const opts: StartOptions = { keep: values.keep ?? false, stop: values.stop ?? false };
  if (values.lb !== undefined) {
    if (values.lb !== "haproxy")
      throw new UsageError(`--lb takes haproxy (the one load balancer driver shipped), got ${values.lb}; ${USAGE}`);
    opts.lb = values.lb;
  }
  if (opts.keep && opts.stop) throw new UsageError(`--keep and --stop exclude each other; ${USAGE}`);
  // HAProxy runs as this command's child; leaving it behind detached is not supported yet.
  if (opts.lb && (opts.keep || opts.stop)) throw new UsageError(`--lb haproxy runs in the foreground only: drop --keep/--stop; ${USAGE}`);
  return opts;
}

/** Set by Ctrl-C: the CLI in the foreground gets the signal too and winds down on its own. */
let interrupted = false;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): void {
  const res = spawnSync(cmd, args, { cwd, env, stdio: "inherit" });
  if (interrupted) throw new Error(`interrupted during \`${cmd} ${args.join(" ")}\``);
  if (res.status !== 0) throw new Error(`\`${cmd} ${args.join(" ")}\` failed (exit ${res.status ?? res.signal})`);
}

interface ServiceSpec {
  name: string;
  /** Base name of its pid and log files in .data when kept. */
  id: string;
  port: number;
  script: string;
  args: string[];
  ready: RegExp;
  env: NodeJS.ProcessEnv;
}

type Ensured = { kind: "attached"; service: StartedService } | { kind: "kept"; service: KeptService } | { kind: "running" };

async function ensureService(spec: ServiceSpec, root: string, keep: boolean): Promise<Ensured> {
  if (await isListening(spec.port)) {
    const kept = keptServices(dataDir(root)).find((k) => path.basename(k.pidFile, ".pid") === spec.id && k.running);
    console.log(
      `${spec.name}: already running on 127.0.0.1:${spec.port}` +
        (kept ? ` (pid ${kept.pid}, left by npm start -- --keep; npm start -- --stop stops it)` : ""),
    );
    return { kind: "running" };
  }
  const script = path.join(root, spec.script);
  if (keep) {
    const service = await startKeptService({
      name: spec.name,
      script,
      args: spec.args,
      ready: spec.ready,
      pidFile: path.join(dataDir(root), `${spec.id}.pid`),
      log: path.join(dataDir(root), `${spec.id}.log`),
      cwd: root,
      env: spec.env,
    });
    console.log(`${spec.name}: started at ${service.url} (pid ${service.pid}, log ${path.relative(root, service.log)})`);
    return { kind: "kept", service };
  }
  const service = await startService({ script, args: spec.args, ready: spec.ready, cwd: root, env: spec.env });
  console.log(`${spec.name}: started at ${service.url}`);
  return { kind: "attached", service };
}

function dataDir(root: string): string {
  return path.join(root, ".data");
}

function serviceSpecs(root: string, env: NodeJS.ProcessEnv, cleanEnv: NodeJS.ProcessEnv, haproxy?: RunningHaproxy): ServiceSpec[] {
  const data = dataDir(root);
  const adminToken = process.env.GENESYS_EMULATOR_ADMIN_TOKEN;
  const specs: ServiceSpec[] = [
    {
      name: "Genesys emulator",
      id: "emulator",
      port: EMULATOR_PORT,
      script: "dist/emulator/cli.js",
      args: ["--port", String(EMULATOR_PORT), "--data", path.join(data, "emulator.db"), "--client", "dev-client:dev-secret"],
      ready: /Genesys emulator listening on (http:\/\/\S+)/,
      // The one GENESYS_ variable meant for the dev emulator itself: it turns on its admin API.
      env: adminToken ? { ...cleanEnv, GENESYS_EMULATOR_ADMIN_TOKEN: adminToken } : cleanEnv,
    },
  ];
  if (fs.existsSync(path.join(root, "dist", "lb-receiver", "cli.js"))) {
    specs.push({
      name: "Load balancer receiver",
      id: "lb-receiver",
      port: RECEIVER_PORT,
      script: "dist/lb-receiver/cli.js",
      args: [
        ...["--port", String(RECEIVER_PORT), "--secret-env", "LB_WEBHOOK_SECRET", "--state", path.join(data, "lb-pool.json")],
        ...(haproxy
          ? [
              "--lb",
              "haproxy",
              "--haproxy-socket",
              haproxy.socket,
              "--haproxy-backend",
              haproxy.backend,
              "--haproxy-ca-file",
              haproxy.caFile,
            ]
          : []),
      ],
      ready: /listening on (http:\/\/\S+)/,
      // The receiver verifies deliveries with the same secret the stack gives the webhooks.
      env: { ...cleanEnv, LB_WEBHOOK_SECRET: configValue("genesys:webhookSecret", env, root) },
    });
  }
  return specs;
}

async function startFlow(keep: boolean, lb?: "haproxy"): Promise<void> {
  const root = repoRoot();
  // What the user's shell would give the project (GENESYSCLOUD_*, CHANNEL_SIGNING_KEY, ...) is
  // for their own stacks; the dev stack and its services get none of it.
  const cleanEnv = withoutProjectVariables(process.env);
  const env = pulumiEnv();
  // The toolchain looks for an installed `pulumi` on the user's PATH, not on ours (which starts
  // with .tools/bin, where it would only find the link it made last time).
  run("bash", [path.join(root, "scripts", "pulumi-toolchain.sh")], cleanEnv, root);

  run("pulumi", ["stack", "select", "--create", STACK], env, root);
  fs.mkdirSync(dataDir(root), { recursive: true });
  const attached: StartedService[] = [];
  const kept: KeptService[] = [];
  let haproxy: RunningHaproxy | undefined;
  try {
    if (lb === "haproxy") {
      if (await isListening(RECEIVER_PORT)) {
        throw new Error(`a receiver already runs on port ${RECEIVER_PORT} without HAProxy: stop it first (npm start -- --stop)`);
      }
      haproxy = await startHaproxy({ dir: path.join(dataDir(root), "haproxy") });
      console.log(
        `HAProxy: started, frontend ${haproxy.frontendUrl}, backend ${haproxy.backend}, stats socket ${path.relative(root, haproxy.socket)}`,
      );
    }
    for (const spec of serviceSpecs(root, env, cleanEnv, haproxy)) {
      const ensured = await ensureService(spec, root, keep);
      if (ensured.kind === "attached") attached.push(ensured.service);
      if (ensured.kind === "kept") kept.push(ensured.service);
    }

    run("pulumi", ["up", "--yes", "--stack", STACK], env, root);

    const outputs = JSON.parse(
      execFileSync("pulumi", ["stack", "output", "channels", "--json", "--stack", STACK], { cwd: root, env }).toString(),
    ) as Record<string, ChannelOutput>;
    printChannels(outputs);
    printDeployments({ stack: STACK, cwd: root, env });

    if (fs.existsSync(path.join(root, "dist", "lb-receiver", "cli.js"))) {
      printPool(await waitForPool(`http://127.0.0.1:${RECEIVER_PORT}/pool`, Object.keys(outputs).length));
    }
    if (haproxy) await printBalancer(`http://127.0.0.1:${RECEIVER_PORT}/balancer`);
    if (keep) printShellSetup(root);
  } finally {
    for (const s of attached.reverse()) await s.stop();
    await haproxy?.stop();
    if (kept.length > 0) printKept(kept, root);
  }
}

async function printBalancer(url: string): Promise<void> {
  const res = await fetch(url);
  const body = (await res.json()) as { servers?: { name: string; address: string; port: number; state: string }[]; error?: string };
  console.log("\nHAProxy backend (kept equal to the pool by the receiver):");
  if (!body.servers) return console.log(`  not readable: ${body.error ?? res.status}`);
  // The dev stack's endpoints are placeholders nobody serves, so health checks mark them down.
  printTable(
    ["server (channel id)", "address", "state"],
    body.servers.map((s) => [s.name, `${s.address}:${s.port}`, s.state]),
  );
  if (body.servers.length > 0 && body.servers.every((s) => s.state !== "up")) {
    console.log("(down: nothing listens on the dev stack's endpoints; declare channels whose endpoints answer TLS to see them up)");
  }
}

async function stopFlow(): Promise<void> {
  const services = keptServices(dataDir(repoRoot()));
  if (services.length === 0) {
    console.log("Nothing to stop: no service was left running by npm start -- --keep.");
    return;
  }
  for (const s of services) {
    const result = await stopKeptService(s);
    console.log(`${s.name} (pid ${s.pid}): ${result}`);
  }
}

interface ChannelOutput {
  name: string;
  brandId: string;
  healthStatus: string;
  endpointUrl: string;
}

interface PoolMember {
  brandId: string;
  name: string;
  endpointUrl: string;
}

function printChannels(outputs: Record<string, ChannelOutput>): void {
  console.log("\nChannels:");
  const rows = Object.entries(outputs).map(([key, c]) => [key, c.name, c.brandId, c.healthStatus, c.endpointUrl]);
  printTable(["resource", "name", "id", "health", "endpoint"], rows);
}

function printPool(pool: PoolMember[]): void {
  console.log("\nLoad balancer pool (from signed webhook deliveries):");
  printTable(
    ["brand id", "name", "endpoint"],
    pool.map((m) => [m.brandId, m.name, m.endpointUrl]),
  );
}

function printKept(kept: KeptService[], root: string): void {
  console.log("\nLeft running (--keep), detached from this terminal:");
  for (const s of kept) console.log(`  ${s.name}: ${s.url} (pid ${s.pid}, log ${path.relative(root, s.log)})`);
  console.log("Stop them with: npm start -- --stop");
}

/** The set-up that runs the CLI exactly as npm start did (same backend, home, stack selection). */
function printShellSetup(root: string): void {
  const settings = pulumiSettings();
  const assignments = [`PATH="${toolsBin()}:$PATH"`, ...Object.entries(settings).map(([k, v]) => `${k}=${shellQuote(v)}`)];
  console.log("\nTo run the Pulumi CLI yourself, in a shell in this folder:");
  console.log(`  cd ${shellQuote(root)}`);
  console.log(`  export ${assignments.join(" \\\n         ")}`);
  console.log(`  pulumi preview --stack ${STACK}`);
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

async function waitForPool(url: string, expected: number): Promise<PoolMember[]> {
  const deadline = Date.now() + 10_000;
  let members: PoolMember[] = [];
  while (Date.now() < deadline && !interrupted) {
    const res = await fetch(url);
    members = ((await res.json()) as { members: PoolMember[] }).members;
    if (members.length >= expected) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return members;
}

function configValue(key: string, env: NodeJS.ProcessEnv, cwd: string): string {
  return execFileSync("pulumi", ["config", "get", key, "--stack", STACK], { cwd, env }).toString().trim();
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => String(c ?? "").padEnd(widths[i])).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

async function main(argv: string[]): Promise<void> {
  const opts = parseStartArgs(argv);
  // Ctrl-C reaches the CLI in the foreground as well; we only note it, so that what --keep
  // started is reported (and what we started without --keep is stopped) once the CLI is done.
  process.on("SIGINT", () => {
    interrupted = true;
  });
  if (opts.stop) await stopFlow();
  else await startFlow(opts.keep, opts.lb);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    // Exit now: nothing of ours is left to wait for (kept services are detached and unreferenced).
    () => process.exit(0),
    (err: Error) => {
      console.error(`npm start failed: ${err.message}`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
