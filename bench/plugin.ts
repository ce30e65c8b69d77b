/**
 * The provider plugin (`bin/pulumi-resource-genesys`) beside the dynamic provider, in one run on one
 * machine: N channels + N load balancer webhooks declared three ways, each against its own
 * in-process emulator and receiver (no rate limit: the engine and the provider set the pace):
 *
 *   dynamic  the stack program (dist/stacks/index.js) on the dynamic resources, package form
 *   sdk      a Node.js program on the plugin's generated SDK (sdk/nodejs): the same language host
 *            and @pulumi/pulumi as `dynamic`, so the difference is the provider alone
 *   yaml     a YAML program on the plugin (Go language host, no Node program): the plugin as a
 *            non-Node team would run it
 *
 * Phases are interleaved across the modes (every mode's new-stack preview, then every `up`, then
 * every preview after up), so a busy moment of a shared machine hits all of them alike. Measured:
 * wall time of each command, the state's bytes per resource beyond its own inputs and outputs, peak
 * memory of the provider process; and, outside the engine, each provider's start-up: process start to
 * the port line the engine reads, and for the plugin to its first answered GetSchema and Configure.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { WEBHOOK_DEFAULTS } from "../provider/resources/webhook/schema";
import { pulumiEnv, repoRoot } from "../scripts/pulumi-env";
import { measured, overhead, overheadByField, type StateResource } from "./scale";
import { benchChannels } from "./support/channels";
import { median, round } from "./support/machine";
import { hwmMb, type ProcPeaks } from "./support/proc-sampler";
import { BenchProject } from "./support/project";
import { type Services, startServices, stackConfig } from "./support/services";

export const PLUGIN_MODES = ["dynamic", "sdk", "yaml"] as const;
export type PluginMode = (typeof PLUGIN_MODES)[number];

/** Issue 28's target for the state a resource carries beyond its own inputs and outputs. */
const PLUGIN_OVERHEAD_TARGET = 1200;

const SDK_PACKAGE = "@genesys-webmessaging/pulumi-genesys";

interface PluginRow {
  mode: PluginMode;
  channels: number;
  /** The genesys resources in the state after up, by type (N channels + N webhooks expected). */
  resourcesByType: Record<string, number>;
  previewNewS: number;
  upS: number;
  previewAfterUpS: number;
  /** 1-minute load average when each command started: the machine is shared. */
  loadAvg: { previewNew: number; up: number; previewAfterUp: number };
  previewNew: ProcPeaks;
  up: ProcPeaks;
  previewAfterUp: ProcPeaks;
  stateBytes: number;
  overheadPerResource: number;
  overheadByField: Record<string, number>;
  /** The first channel's `stackTrace` entry: which language host recorded what (its length is most of the difference between hosts). */
  sampleStackTrace: unknown;
}

interface StartupFigures {
  runs: number;
  /** Median ms from spawn to the port line on stdout (what the engine waits for). */
  portMs: number;
  /** Median ms from spawn to the first answered GetSchema (plugin only). */
  schemaMs?: number;
  /** Median ms from spawn to an answered Configure (plugin only: it builds its client there). */
  configureMs?: number;
  /** Median VmHWM after the last call, MB. */
  rssMb: number;
}

export interface PluginBenchResult {
  rows: PluginRow[];
  startup: { plugin: StartupFigures; dynamic: StartupFigures; loadAvg: number };
  sdkBuildS: number;
}

const load1 = () => round(os.loadavg()[0]!, 1);

/** The SDK compiled as its package would ship it, in a node_modules folder of its own beside the repo's @pulumi. */
async function buildSdk(dir: string): Promise<string> {
  const modules = path.join(dir, "node_modules");
  const sdk = path.join(modules, ...SDK_PACKAGE.split("/"));
  const root = repoRoot();
  const tsc = await run(process.execPath, [
    path.join(root, "node_modules", "typescript", "bin", "tsc"),
    "-p",
    path.join(root, "sdk", "nodejs", "tsconfig.json"),
    "--outDir",
    sdk,
  ]);
  if (tsc.code !== 0) throw new Error(`compiling sdk/nodejs failed (${tsc.code}):\n${tsc.out.slice(-3000)}`);
  fs.copyFileSync(path.join(root, "sdk", "nodejs", "package.json"), path.join(sdk, "package.json"));
  // One @pulumi/pulumi for the program and the SDK: the repository's, as for the dynamic program.
  fs.symlinkSync(path.join(root, "node_modules", "@pulumi"), path.join(modules, "@pulumi"));
  return modules;
}

function run(command: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** The same declarations and webhook settings as the stack program's deployChannels(). */
const deliveryPolicy = { ...WEBHOOK_DEFAULTS.deliveryPolicy };

/** The Node.js program on the generated SDK: JavaScript written into the project, which resolves the SDK from its node_modules. */
const SDK_PROGRAM = `"use strict";
const fs = require("node:fs");
const pulumi = require("@pulumi/pulumi");
const genesys = require(${JSON.stringify(SDK_PACKAGE)});
const declarations = JSON.parse(fs.readFileSync(new pulumi.Config().require("channelsFile"), "utf8"));
const callbackUrl = new pulumi.Config("lb").require("callbackUrl");
for (const { resourceName, ...args } of declarations) {
  const channel = new genesys.WebMessagingChannel(resourceName, args);
  new genesys.LoadBalancerWebhook(resourceName + "-lb-sync", {
    name: "lb-sync-" + resourceName,
    brandId: channel.brandId,
    callbackUrl,
    deliveryPolicy: ${JSON.stringify(deliveryPolicy)},
  });
}
`;

function yamlResources(channels: number, callbackUrl: string): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const { resourceName, ...args } of benchChannels(channels, "plugin")) {
    resources[resourceName] = { type: "genesys:index:WebMessagingChannel", properties: args };
    resources[`${resourceName}-lb-sync`] = {
      type: "genesys:index:LoadBalancerWebhook",
      properties: { name: `lb-sync-${resourceName}`, brandId: `\${${resourceName}.brandId}`, callbackUrl, deliveryPolicy },
    };
  }
  return resources;
}

interface Stack {
  mode: PluginMode;
  services: Services;
  project: BenchProject;
}

async function createStack(mode: PluginMode, channels: number, sdkModules: string | undefined): Promise<Stack> {
  const services = await startServices({ receiver: true });
  const { config, secrets } = stackConfig(services);
  const callbackUrl = `${services.receiver!.url}/events`;
  const plugins = { providers: [{ name: "genesys", path: path.join(repoRoot(), "bin") }] };
  // One project name for every mode: it is in every URN (urn, parent, provider, dependencies), so a
  // longer one would add bytes per resource that are not the provider's.
  const name = `plugin-${channels}`;
  let project: BenchProject;
  if (mode === "dynamic") project = await BenchProject.create(name, "dist/stacks/index.js", config, secrets);
  else if (mode === "sdk")
    project = await BenchProject.create(name, "index.js", config, secrets, {
      projectFile: { runtime: "nodejs", main: "index.js", plugins },
      nodeModules: sdkModules,
    });
  else
    project = await BenchProject.create(name, "", config, secrets, {
      projectFile: { runtime: "yaml", plugins, resources: yamlResources(channels, callbackUrl) },
    });
  if (mode === "sdk") fs.writeFileSync(project.file("index.js"), SDK_PROGRAM);
  if (mode !== "yaml") {
    const file = project.file("channels.json");
    fs.writeFileSync(file, JSON.stringify(benchChannels(channels, "plugin")));
    await project.cli(["config", "set", "--stack", project.stack, "channelsFile", file], { check: true });
  }
  return { mode, services, project };
}

const isGenesys = (r: StateResource) => r.type.startsWith("pulumi-nodejs:dynamic/genesys:") || r.type.startsWith("genesys:index:");

async function pluginSize(opts: {
  channels: number;
  modes: readonly PluginMode[];
  sdkModules?: string;
  cliArgs?: string[];
  log?: (m: string) => void;
}): Promise<PluginRow[]> {
  const log = opts.log ?? (() => undefined);
  const extra = opts.cliArgs ?? [];
  const stacks: Stack[] = [];
  try {
    for (const mode of opts.modes) stacks.push(await createStack(mode, opts.channels, opts.sdkModules));
    const phase = async (args: string[], label: string) => {
      const out = new Map<PluginMode, { s: number; peaks: ProcPeaks; load: number }>();
      for (const { mode, project } of stacks) {
        const load = load1();
        const { run, peaks } = await measured(project, [...args, "--stack", project.stack, ...extra]);
        out.set(mode, { s: round(run.wallMs / 1000), peaks, load });
        log(`  ${opts.channels} ${mode}: ${label} ${round(run.wallMs / 1000)} s (load ${load})`);
      }
      return out;
    };
    const previewNew = await phase(["preview"], "preview, new stack");
    const up = await phase(["up", "--yes", "--skip-preview"], "up");
    const states = new Map<PluginMode, { resources: StateResource[] }>();
    for (const { mode, project } of stacks) states.set(mode, (await project.state()) as { resources: StateResource[] });
    const previewAfterUp = await phase(["preview", "--expect-no-changes"], "preview after up");
    return stacks.map(({ mode }) => {
      const state = states.get(mode)!;
      const ours = state.resources.filter(isGenesys);
      const byType: Record<string, number> = {};
      for (const r of ours) byType[r.type] = (byType[r.type] ?? 0) + 1;
      const [a, b, c] = [previewNew.get(mode)!, up.get(mode)!, previewAfterUp.get(mode)!];
      return {
        mode,
        channels: opts.channels,
        resourcesByType: byType,
        previewNewS: a.s,
        upS: b.s,
        previewAfterUpS: c.s,
        loadAvg: { previewNew: a.load, up: b.load, previewAfterUp: c.load },
        previewNew: a.peaks,
        up: b.peaks,
        previewAfterUp: c.peaks,
        stateBytes: JSON.stringify(state).length,
        overheadPerResource: Math.round(ours.reduce((n, r) => n + overhead(r), 0) / Math.max(1, ours.length)),
        overheadByField: overheadByField(ours),
        sampleStackTrace: ours.find((r) => r.type.endsWith("WebMessagingChannel"))?.stackTrace,
      };
    });
  } finally {
    // No destroy: each emulator is in memory and discarded with its stack.
    for (const { project, services } of stacks) {
      project.cleanup();
      await services.close();
    }
  }
}

/** A gRPC server with no services at all: an engine address whose health check answers UNIMPLEMENTED, so no watch ends the provider. */
async function silentEngine(): Promise<{ address: string; stop: () => void }> {
  const server = new grpc.Server();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, stop: () => server.forceShutdown() };
}

const unary = <Req, Res>(client: provrpc.ResourceProviderClient, method: "getSchema" | "configure", req: Req): Promise<Res> =>
  new Promise((resolve, reject) =>
    (client[method] as unknown as (r: Req, d: grpc.Deadline, cb: (e: grpc.ServiceError | null, r: Res) => void) => void).call(
      client,
      req,
      Date.now() + 60_000,
      (err, res) => (err ? reject(err) : resolve(res)),
    ),
  );

/** One cold start of a provider executable, as the engine starts it (argument: the engine's address); killed afterwards. */
async function startOnce(
  kind: "plugin" | "dynamic",
  engine: string,
  configure: Record<string, string | boolean>,
  env: NodeJS.ProcessEnv,
): Promise<{ portMs: number; schemaMs?: number; configureMs?: number; rssMb: number }> {
  const command = kind === "plugin" ? path.join(repoRoot(), "bin", "pulumi-resource-genesys") : "pulumi-resource-pulumi-nodejs";
  const t0 = performance.now();
  const child = spawn(command, [engine], { cwd: repoRoot(), env, stdio: ["ignore", "pipe", "pipe"] });
  try {
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${command}: no port within 60 s\n${stderr}`)), 60_000);
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
        const line = /^(\d+)\n/.exec(stdout);
        if (line) {
          clearTimeout(timer);
          resolve(line[1]!);
        }
      });
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${command} exited (${code}) before printing its port\n${stderr}`));
      });
    });
    const portMs = performance.now() - t0;
    if (kind === "dynamic") return { portMs, rssMb: hwmMb(child.pid!) };
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      await unary(client, "getSchema", new provproto.GetSchemaRequest().setVersion(0));
      const schemaMs = performance.now() - t0;
      await unary(client, "configure", new provproto.ConfigureRequest().setArgs(Struct.fromJavaScript(configure)).setAcceptsecrets(true));
      const configureMs = performance.now() - t0;
      return { portMs, schemaMs, configureMs, rssMb: hwmMb(child.pid!) };
    } finally {
      client.close();
    }
  } finally {
    const exited = new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
    );
    child.kill("SIGKILL");
    await exited;
  }
}

/** Cold starts of the plugin and of the dynamic provider, alternated, `runs` of each; medians. */
async function startupBench(runs: number): Promise<{ plugin: StartupFigures; dynamic: StartupFigures; loadAvg: number }> {
  const loadAvg = load1();
  const engine = await silentEngine();
  const services = await startServices();
  const auditDir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-bench-startup-audit-"));
  // The CLI's environment (PATH with .tools/bin first, no project variables); nothing is written to its backend.
  const env = pulumiEnv({ backendDir: path.join(auditDir, "state") });
  const configure = {
    apiUrl: services.emulator.url,
    clientId: services.clientId,
    clientSecret: services.clientSecret,
    allowPrivateNetworks: true,
    useEnvironment: "false",
    auditDir,
  };
  try {
    const plugin: Awaited<ReturnType<typeof startOnce>>[] = [];
    const dynamic: Awaited<ReturnType<typeof startOnce>>[] = [];
    for (let i = 0; i < runs; i++) {
      plugin.push(await startOnce("plugin", engine.address, configure, env));
      dynamic.push(await startOnce("dynamic", engine.address, configure, env));
    }
    const med = (xs: (number | undefined)[]) => round(median(xs.map(Number)), 1);
    return {
      plugin: {
        runs,
        portMs: med(plugin.map((r) => r.portMs)),
        schemaMs: med(plugin.map((r) => r.schemaMs)),
        configureMs: med(plugin.map((r) => r.configureMs)),
        rssMb: med(plugin.map((r) => r.rssMb)),
      },
      dynamic: { runs, portMs: med(dynamic.map((r) => r.portMs)), rssMb: med(dynamic.map((r) => r.rssMb)) },
      loadAvg,
    };
  } finally {
    engine.stop();
    await services.close();
    fs.rmSync(auditDir, { recursive: true, force: true });
  }
}

export async function pluginBench(opts: {
  sizes: number[];
  modes: readonly PluginMode[];
  startupRuns: number;
  cliArgs?: string[];
  log?: (m: string) => void;
}): Promise<PluginBenchResult> {
  const log = opts.log ?? (() => undefined);
  const startup = await startupBench(opts.startupRuns);
  log(
    `  start-up (median of ${opts.startupRuns}): plugin port ${startup.plugin.portMs} ms, GetSchema ${startup.plugin.schemaMs} ms, ` +
      `Configure ${startup.plugin.configureMs} ms, ${startup.plugin.rssMb} MB; dynamic port ${startup.dynamic.portMs} ms, ${startup.dynamic.rssMb} MB`,
  );
  const sdkDir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-bench-sdk-"));
  try {
    const t0 = performance.now();
    const sdkModules = opts.modes.includes("sdk") ? await buildSdk(sdkDir) : undefined;
    const sdkBuildS = round((performance.now() - t0) / 1000, 1);
    const rows: PluginRow[] = [];
    for (const channels of opts.sizes)
      rows.push(...(await pluginSize({ channels, modes: opts.modes, sdkModules, cliArgs: opts.cliArgs, log })));
    return { rows, startup, sdkBuildS };
  } finally {
    fs.rmSync(sdkDir, { recursive: true, force: true });
  }
}

/** Summary lines; the verdict is on the plugin's rows (the dynamic row is the comparison). */
export function pluginLines(r: PluginBenchResult): string[] {
  const s = r.startup;
  const lines = [
    `plugin vs dynamic (no rate limit; state overhead target <= ${PLUGIN_OVERHEAD_TARGET} B/resource for the plugin)`,
    `  start-up, median of ${s.plugin.runs} cold starts (load ${s.loadAvg}): plugin to port ${s.plugin.portMs} ms, to GetSchema ${s.plugin.schemaMs} ms, ` +
      `to Configure ${s.plugin.configureMs} ms, RSS ${s.plugin.rssMb} MB; dynamic provider to port ${s.dynamic.portMs} ms, RSS ${s.dynamic.rssMb} MB`,
    "  channels | mode | preview new s | up s | preview after up s | load (prev/up/prev) | state B | overhead B/res | provider peak MB (up) | CLI peak MB | CLI written MB (up)",
  ];
  for (const x of r.rows) {
    lines.push(
      `  ${x.channels} (+${x.channels}) | ${x.mode} | ${x.previewNewS} | ${x.upS} | ${x.previewAfterUpS} | ` +
        `${x.loadAvg.previewNew}/${x.loadAvg.up}/${x.loadAvg.previewAfterUp} | ${x.stateBytes} | ${x.overheadPerResource} | ` +
        `${x.up.providerPeakRssMb} | ${x.up.cliPeakRssMb} | ${round(x.up.cliWrittenBytes / 1e6, 1)}`,
    );
    lines.push(
      `    resources: ${Object.entries(x.resourcesByType)
        .map(([t, n]) => `${t} x${n}`)
        .join(", ")}; up CPU s: CLI ${x.up.cliCpuS}, provider ${x.up.providerCpuS}, language host + program ${x.up.programCpuS}; ` +
        `program peak MB ${x.up.programPeakRssMb}`,
    );
    lines.push(
      `    overhead B/res by field: ${Object.entries(x.overheadByField)
        .sort(([, a], [, b]) => b - a)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ")}`,
    );
  }
  for (const x of r.rows.filter((row) => row.mode !== "dynamic")) {
    const verdict = x.overheadPerResource <= PLUGIN_OVERHEAD_TARGET ? "met" : "missed";
    lines.push(`  ${x.channels} ${x.mode}: ${x.overheadPerResource} B/resource, target ${verdict}`);
  }
  lines.push(
    `  verdict on the ${gatedMode(r)} rows (the mode that measures the plugin, not a language host): ` +
      `${pluginPass(r) ? "PASS" : "FAIL"}`,
  );
  return lines;
}

/**
 * The rows the target is judged on: the SDK program's, which runs on the same language host as the
 * dynamic program, so what differs is the provider. The YAML host records its own Go call stack
 * with every resource (1.4 KB, unconditionally): a cost of that host, reported beside.
 */
function gatedMode(r: PluginBenchResult): PluginMode {
  return r.rows.some((x) => x.mode === "sdk") ? "sdk" : "yaml";
}

export function pluginPass(r: PluginBenchResult): boolean {
  const gated = r.rows.filter((x) => x.mode === gatedMode(r));
  const expected = (x: PluginRow) => Object.values(x.resourcesByType).reduce((a, b) => a + b, 0) === 2 * x.channels;
  return gated.length > 0 && r.rows.every(expected) && gated.every((x) => x.overheadPerResource <= PLUGIN_OVERHEAD_TARGET);
}
