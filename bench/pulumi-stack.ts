/**
 * The benchmarks that drive the real Pulumi CLI:
 *   preview     `pulumi preview` of N channels vs the same N declarations as no-op dynamic
 *               resources (the engine's floor), on a new stack and after an up; size of __provider
 *   throughput  `pulumi up` of N channels + N webhooks against a rate-limited emulator vs the
 *               floor (API calls needed / allowed rate), 429s, token requests, failures
 *   refresh     `pulumi refresh` of that stack: exactly one read per resource, wall time vs floor
 */
import * as fs from "node:fs";
import { benchChannels } from "./support/channels";
import { median, round } from "./support/machine";
import { BenchProject } from "./support/project";
import { type LoggedRequest, type Services, startServices, stackConfig } from "./support/services";

export interface PreviewResult {
  resources: number;
  reps: number;
  /** Median wall seconds of a preview that plans N creates (check only). */
  newStack: { channelS: number; noopS: number; ratio: number };
  /** Median wall seconds of a preview after an up (check + diff, no changes). */
  afterUp: { channelS: number; noopS: number; ratio: number };
  /** Length of the serialized provider string in each channel's state. */
  providerBytes: number;
  noopProviderBytes: number;
  /** The whole exported deployment of the channel stack, and the share of it that is __provider. */
  stateBytes: number;
  providerShareOfState: number;
  target: number;
  pass: boolean;
}

function declare(project: BenchProject, count: number): string {
  const file = project.file("channels.json");
  fs.writeFileSync(file, JSON.stringify(benchChannels(count)));
  return file;
}

async function timedPreviews(a: BenchProject, b: BenchProject, reps: number, extra: string[]): Promise<{ a: number[]; b: number[] }> {
  const out = { a: [] as number[], b: [] as number[] };
  // Interleaved so a slow moment of the machine hurts both sides alike.
  for (let i = 0; i < reps; i++) {
    out.a.push((await a.preview(extra)).wallMs / 1000);
    out.b.push((await b.preview(extra)).wallMs / 1000);
  }
  return out;
}

export async function previewBench(opts: { resources: number; reps: number; cliArgs?: string[] }): Promise<PreviewResult> {
  const services = await startServices();
  const { config, secrets } = stackConfig(services);
  const channels = await BenchProject.create("preview-channels", "dist/stacks/index.js", config, secrets);
  const noop = await BenchProject.create("preview-noop", "dist/bench/programs/noop.js", {});
  const extra = opts.cliArgs ?? [];
  try {
    const channelsFile = declare(channels, opts.resources);
    await channels.cli(["config", "set", "--stack", channels.stack, "channelsFile", channelsFile], { check: true });
    const noopFile = declare(noop, opts.resources);
    await noop.cli(["config", "set", "--stack", noop.stack, "channelsFile", noopFile], { check: true });

    // One untimed preview each warms the file cache and the CLI's plugin discovery.
    await channels.preview(extra);
    await noop.preview(extra);
    const fresh = await timedPreviews(channels, noop, opts.reps, extra);

    await channels.up(extra);
    await noop.up(extra);
    const steady = await timedPreviews(channels, noop, opts.reps, ["--expect-no-changes", ...extra]);

    const providerSize = async (p: BenchProject, type: string) => {
      const state = await p.state();
      const sizes = state.resources.filter((r) => r.type === type).map((r) => String(r.outputs?.__provider ?? "").length);
      return Math.max(...sizes);
    };
    const deployment = await channels.state();
    const stateBytes = JSON.stringify(deployment).length;
    let providerChars = 0;
    for (const r of deployment.resources as { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[]) {
      providerChars += String(r.inputs?.__provider ?? "").length + String(r.outputs?.__provider ?? "").length;
    }
    const newStack = { channelS: round(median(fresh.a)), noopS: round(median(fresh.b)), ratio: round(median(fresh.a) / median(fresh.b)) };
    const afterUp = {
      channelS: round(median(steady.a)),
      noopS: round(median(steady.b)),
      ratio: round(median(steady.a) / median(steady.b)),
    };
    const target = 1.3;
    return {
      resources: opts.resources,
      reps: opts.reps,
      newStack,
      afterUp,
      providerBytes: await providerSize(channels, "pulumi-nodejs:dynamic/genesys:WebMessagingChannel"),
      noopProviderBytes: await providerSize(noop, "pulumi-nodejs:dynamic/bench:Noop"),
      stateBytes,
      providerShareOfState: round(providerChars / stateBytes),
      target,
      pass: newStack.ratio <= target && afterUp.ratio <= target,
    };
  } finally {
    channels.cleanup();
    noop.cleanup();
    await services.close();
  }
}

export interface CallCounts {
  /** Non-token calls that succeeded or failed for a reason other than throttling. */
  needed: number;
  throttled: number;
  tokenRequests: number;
  failed: number;
  byRoute: Record<string, number>;
  /** Seconds between the first and the last logged request. */
  apiSpanS: number;
  /** Most requests (any status, tokens included) the emulator saw in one wall-clock second. */
  peakPerSecond: number;
}

const isToken = (r: LoggedRequest) => r.path.startsWith("/oauth/token");

export function countCalls(log: LoggedRequest[]): CallCounts {
  const api = log.filter((r) => !isToken(r));
  const byRoute: Record<string, number> = {};
  for (const r of api) {
    if (r.status === 429) continue;
    const route = `${r.method} ${r.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}")}`;
    byRoute[route] = (byRoute[route] ?? 0) + 1;
  }
  const times = log.map((r) => Date.parse(r.time));
  const perSecond = new Map<number, number>();
  for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  return {
    needed: api.filter((r) => r.status !== 429).length,
    throttled: api.filter((r) => r.status === 429).length,
    tokenRequests: log.filter(isToken).length,
    failed: api.filter((r) => r.status !== 429 && r.status >= 400).length,
    byRoute,
    apiSpanS: times.length ? round((Math.max(...times) - Math.min(...times)) / 1000) : 0,
    peakPerSecond: Math.max(0, ...perSecond.values()),
  };
}

interface RateBoundResult {
  resources: number;
  rate: { requests: number; perSeconds: number };
  wallS: number;
  floorS: number;
  ratio: number;
  calls: CallCounts;
  /** Tokens the emulator issued during this command (one provider process: must be 1). */
  tokensIssued: number;
  exitCode: number | null;
}

export interface ThroughputResult extends RateBoundResult {
  target: number;
  pass: boolean;
  poolSize: number;
}

export interface RefreshResult extends RateBoundResult {
  readsPerResource: number;
  exactlyOneReadEach: boolean;
}

function rateBound(
  resources: number,
  rate: { requests: number; perSeconds: number },
  wallMs: number,
  calls: CallCounts,
  tokensIssued: number,
  exitCode: number | null,
): RateBoundResult {
  const floorS = calls.needed / (rate.requests / rate.perSeconds);
  return {
    resources,
    rate,
    wallS: round(wallMs / 1000),
    floorS: round(floorS),
    ratio: round(wallMs / 1000 / floorS),
    calls,
    tokensIssued,
    exitCode,
  };
}

/** Throughput (up) and refresh share one stack: the refresh reads what the up made. */
export async function throughputAndRefreshBench(opts: {
  channels: number;
  rate: { requests: number; perSeconds: number };
  cliArgs?: string[];
  stackConfig?: Record<string, string>;
}): Promise<{ up: ThroughputResult; refresh: RefreshResult }> {
  const services: Services = await startServices({ rateLimit: opts.rate, receiver: true });
  const { config, secrets } = stackConfig(services, opts.stackConfig);
  const project = await BenchProject.create("throughput", "dist/stacks/index.js", config, secrets);
  const extra = opts.cliArgs ?? [];
  try {
    const channelsFile = declare(project, opts.channels);
    await project.cli(["config", "set", "--stack", project.stack, "channelsFile", channelsFile], { check: true });

    await services.clearRequests();
    let tokensBefore = await services.tokensIssued();
    const up = await project.cli(["up", "--yes", "--skip-preview", "--stack", project.stack, ...extra], { timeoutMs: 600_000 });
    if (up.code !== 0) process.stderr.write(`pulumi up failed:\n${up.stdout.slice(-3000)}\n${up.stderr.slice(-3000)}\n`);
    const upCalls = countCalls(await services.requests());
    const upTokens = (await services.tokensIssued()) - tokensBefore;
    const upBase = rateBound(opts.channels * 2, opts.rate, up.wallMs, upCalls, upTokens, up.code);
    const target = 1.15;
    const upResult: ThroughputResult = {
      ...upBase,
      target,
      poolSize: services.receiver?.pool().length ?? 0,
      pass: up.code === 0 && upBase.ratio <= target && upCalls.failed === 0 && upTokens === 1,
    };

    // Let the emulator's current rate window close so the refresh starts with the full allowance.
    await new Promise((r) => setTimeout(r, opts.rate.perSeconds * 1000 + 100));
    await services.clearRequests();
    tokensBefore = await services.tokensIssued();
    const refresh = await project.cli(["refresh", "--yes", "--skip-preview", "--stack", project.stack, ...extra], { timeoutMs: 600_000 });
    if (refresh.code !== 0)
      process.stderr.write(`pulumi refresh failed:\n${refresh.stdout.slice(-3000)}\n${refresh.stderr.slice(-3000)}\n`);
    const log = await services.requests();
    const refreshCalls = countCalls(log);
    const reads = log.filter((r) => !isToken(r) && r.status !== 429);
    const perPath = new Map<string, number>();
    for (const r of reads) perPath.set(r.path.split("?")[0]!, (perPath.get(r.path.split("?")[0]!) ?? 0) + 1);
    const resources = opts.channels * 2;
    const exactlyOneReadEach =
      reads.every((r) => r.method === "GET") && perPath.size === resources && [...perPath.values()].every((n) => n === 1);
    return {
      up: upResult,
      refresh: {
        ...rateBound(resources, opts.rate, refresh.wallMs, refreshCalls, (await services.tokensIssued()) - tokensBefore, refresh.code),
        readsPerResource: round(reads.length / resources),
        exactlyOneReadEach,
      },
    };
  } finally {
    project.cleanup();
    await services.close();
  }
}
