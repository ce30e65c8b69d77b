/**
 * Scale: `pulumi up`, `preview`, `refresh` and `destroy` of N channels + N webhooks with no rate
 * limit (the engine and the provider set the pace), for several N, with the state's size per
 * resource, the CLI's bytes written, and peak memory of the CLI and the provider process. Then the
 * API-bound case: `up` at a per-token rate limit with genesys:tokenPoolSize tokens, against the
 * floor (calls / (rate x tokens)).
 */
import * as fs from "node:fs";
import { countCalls, type CallCounts } from "./pulumi-stack";
import { benchChannels } from "./support/channels";
import { round } from "./support/machine";
import { ProcSampler, type ProcPeaks } from "./support/proc-sampler";
import { BenchProject, type CliRun } from "./support/project";
import { startServices, stackConfig } from "./support/services";

export interface ScaleRow {
  channels: number;
  resources: number;
  provider: "package" | "inline";
  upS: number;
  previewS: number;
  refreshS: number;
  destroyS: number;
  up: ProcPeaks;
  /** The exported deployment after up, and per resource what it stores beyond its own inputs and outputs. */
  stateBytes: number;
  overheadPerResource: number;
  /** The overhead by what holds it, mean bytes per resource: each top-level field of the state entry, and `__provider` (both copies). */
  overheadByField: Record<string, number>;
  providerBytes: number;
}

export type StateResource = { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown>; [field: string]: unknown };

/** Bytes of a resource's state entry that are not its own inputs and outputs (__provider counts as overhead). */
export function overhead(r: StateResource): number {
  const own = (o: Record<string, unknown> | undefined) => {
    if (!o) return 0;
    const { __provider: _provider, ...rest } = o;
    return JSON.stringify(rest).length;
  };
  return JSON.stringify(r).length - own(r.inputs) - own(r.outputs);
}

/** Mean bytes per resource of each overhead part; the parts add up to overhead() but for the JSON punctuation between fields. */
export function overheadByField(resources: StateResource[]): Record<string, number> {
  const sums: Record<string, number> = {};
  const add = (k: string, n: number) => (sums[k] = (sums[k] ?? 0) + n);
  for (const r of resources) {
    for (const [k, v] of Object.entries(r)) {
      if (k === "inputs" || k === "outputs") {
        const fields = v as Record<string, unknown>;
        add("__provider", "__provider" in fields ? JSON.stringify({ __provider: fields.__provider }).length - 2 : 0);
      } else add(k, JSON.stringify(k).length + 1 + JSON.stringify(v).length);
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([k, n]) => [k, Math.round(n / Math.max(1, resources.length))]));
}

export async function measured(project: BenchProject, args: string[], env?: NodeJS.ProcessEnv): Promise<{ run: CliRun; peaks: ProcPeaks }> {
  let sampler: ProcSampler | undefined;
  const run = await project.cli(args, { timeoutMs: 3_600_000, env, onSpawn: (pid) => (sampler = new ProcSampler(pid)) });
  const peaks = sampler!.stop();
  if (run.code !== 0) throw new Error(`pulumi ${args[0]} failed (${run.code}):\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
  return { run, peaks };
}

export async function scaleRow(opts: {
  channels: number;
  inlineProvider?: boolean;
  cliArgs?: string[];
  env?: NodeJS.ProcessEnv;
  log?: (m: string) => void;
}): Promise<ScaleRow> {
  const services = await startServices({ receiver: true });
  const { config, secrets } = stackConfig(services);
  const project = await BenchProject.create(`scale-${opts.channels}`, "dist/stacks/index.js", config, secrets, {
    inlineProvider: opts.inlineProvider,
  });
  const extra = opts.cliArgs ?? [];
  const stack = ["--stack", project.stack];
  const log = opts.log ?? (() => undefined);
  try {
    const file = project.file("channels.json");
    fs.writeFileSync(file, JSON.stringify(benchChannels(opts.channels, "scale")));
    await project.cli(["config", "set", ...stack, "channelsFile", file], { check: true });

    const up = await measured(project, ["up", "--yes", "--skip-preview", ...stack, ...extra], opts.env);
    log(`  up ${round(up.run.wallMs / 1000)} s`);
    const state = (await project.state()) as { resources: StateResource[] };
    const ours = state.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/genesys:"));
    const preview = await measured(project, ["preview", "--expect-no-changes", ...stack, ...extra], opts.env);
    log(`  preview ${round(preview.run.wallMs / 1000)} s`);
    const refresh = await measured(project, ["refresh", "--yes", "--skip-preview", "--expect-no-changes", ...stack, ...extra], opts.env);
    log(`  refresh ${round(refresh.run.wallMs / 1000)} s`);
    const destroy = await measured(project, ["destroy", "--yes", "--skip-preview", ...stack, ...extra], opts.env);
    log(`  destroy ${round(destroy.run.wallMs / 1000)} s`);
    return {
      channels: opts.channels,
      resources: ours.length,
      provider: opts.inlineProvider ? "inline" : "package",
      upS: round(up.run.wallMs / 1000),
      previewS: round(preview.run.wallMs / 1000),
      refreshS: round(refresh.run.wallMs / 1000),
      destroyS: round(destroy.run.wallMs / 1000),
      up: up.peaks,
      stateBytes: JSON.stringify(state).length,
      overheadPerResource: Math.round(ours.reduce((n, r) => n + overhead(r), 0) / Math.max(1, ours.length)),
      overheadByField: overheadByField(ours),
      providerBytes: Math.max(0, ...ours.map((r) => String(r.outputs?.__provider ?? "").length)),
    };
  } finally {
    project.cleanup();
    await services.close();
  }
}

export interface PoolResult {
  channels: number;
  perTokenRate: { requests: number; perSeconds: number };
  poolSize: number;
  wallS: number;
  floorS: number;
  ratio: number;
  target: number;
  calls: CallCounts;
  tokensIssued: number;
  pass: boolean;
}

/** `up` of N channels (+ webhooks) against a per-token limit, paced per token, with a pool of tokens. */
export async function tokenPoolRow(opts: {
  channels: number;
  perTokenRate: { requests: number; perSeconds: number };
  poolSize: number;
  cliArgs?: string[];
}): Promise<PoolResult> {
  const services = await startServices({ rateLimit: opts.perTokenRate, receiver: true });
  const perSecond = opts.perTokenRate.requests / opts.perTokenRate.perSeconds;
  const { config, secrets } = stackConfig(services, {
    "genesys:maxRequestsPerSecond": String(perSecond),
    "genesys:tokenPoolSize": String(opts.poolSize),
  });
  const project = await BenchProject.create(`pool-${opts.channels}`, "dist/stacks/index.js", config, secrets);
  try {
    const file = project.file("channels.json");
    fs.writeFileSync(file, JSON.stringify(benchChannels(opts.channels, "pool")));
    await project.cli(["config", "set", "--stack", project.stack, "channelsFile", file], { check: true });
    await services.clearRequests();
    const before = await services.tokensIssued();
    const up = await project.cli(["up", "--yes", "--skip-preview", "--stack", project.stack, ...(opts.cliArgs ?? [])], {
      timeoutMs: 3_600_000,
    });
    if (up.code !== 0) throw new Error(`pulumi up failed (${up.code}):\n${up.stdout.slice(-3000)}\n${up.stderr.slice(-3000)}`);
    const calls = countCalls(await services.requests());
    const tokensIssued = (await services.tokensIssued()) - before;
    const floorS = calls.needed / (perSecond * opts.poolSize);
    const ratio = round(up.wallMs / 1000 / floorS);
    const target = 1.2;
    return {
      channels: opts.channels,
      perTokenRate: opts.perTokenRate,
      poolSize: opts.poolSize,
      wallS: round(up.wallMs / 1000),
      floorS: round(floorS),
      ratio,
      target,
      calls,
      tokensIssued,
      pass: ratio <= target && calls.throttled === 0 && calls.failed === 0 && tokensIssued === opts.poolSize,
    };
  } finally {
    // No destroy: at the API-bound rate it would take as long again, and the emulator is discarded.
    project.cleanup();
    await services.close();
  }
}
