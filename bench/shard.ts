/**
 * Sharding (issue 15, item 4): N channels + N webhooks declared as one stack, against the same
 * fleet split into K stacks of N/K (each with its own channelsFile) that the many-stacks runner
 * (`dist/cli/deploy.js --parallel K`, the real CLI through the Automation API) runs concurrently.
 * No rate limit: the engine sets the pace. Each layout gets a fresh in-process emulator and file
 * backend; the single stack goes through the same runner so that only the layout differs.
 *
 *   node dist/bench/shard.js [--channels 400] [--shards 1,4] [--parallel K] [--full]
 *     [--rate 5/1 --token-pool-size 1]
 *
 * Reports `up` and `preview --expect-no-changes` wall time, every stack's checkpoint size, the CLIs'
 * bytes written, peak memory and CPU seconds of the CLIs and providers, and checks the result: every
 * channel and webhook exists exactly once in the emulator and every stack converged. `--full` adds
 * `refresh --expect-no-changes` and `destroy` (which must leave the emulator empty). `--rate` limits
 * the emulator per token and paces each provider at it, with `genesys:tokenPoolSize` tokens each: the
 * API-bound case, against the floor calls / (rate x stacks x pool).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { countCalls, type CallCounts } from "./pulumi-stack";
import { benchChannels } from "./support/channels";
import { FleetSampler, type FleetPeaks } from "./support/fleet-sampler";
import { flag, machine, round } from "./support/machine";
import { BenchProject, type CliRun } from "./support/project";
import { startServices, stackConfig } from "./support/services";

export interface ShardRow {
  channels: number;
  shards: number;
  parallel: number;
  upS: number;
  /** Each stack's own `up`, as the runner timed it. */
  stackUpS: number[];
  previewS: number;
  up: FleetPeaks;
  /** Each stack's checkpoint file after `up` (the file backend's <stack>.json). */
  checkpointBytes: number[];
  calls: CallCounts;
  /** Every declared channel (brand) and webhook exists exactly once in the emulator, and nothing else. */
  channelsOnce: boolean;
  webhooksOnce: boolean;
  /** `preview --expect-no-changes` of every stack passed. */
  converged: boolean;
  /** With --full: `refresh --expect-no-changes` and `destroy` of every stack, and nothing left in the emulator. */
  refreshS?: number;
  destroyS?: number;
  destroyedAll?: boolean;
  /** With --rate: the API-bound figures. */
  rateBound?: {
    perTokenRate: { requests: number; perSeconds: number };
    tokenPoolSize: number;
    floorS: number;
    ratio: number;
    tokensIssued: number;
  };
}

function split<T>(items: T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  return Array.from({ length: parts }, (_, i) => items.slice(i * size, (i + 1) * size));
}

function findFile(dir: string, name: string): string | undefined {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const found = findFile(full, name);
      if (found) return found;
    } else if (entry.name === name) return full;
  }
  return undefined;
}

/** Each name exactly once, and no name that was not expected. */
function exactlyOnce(actual: string[], expected: string[]): boolean {
  const want = new Set(expected);
  return actual.length === expected.length && new Set(actual).size === actual.length && actual.every((n) => want.has(n));
}

async function sampled(project: BenchProject, args: string[]): Promise<{ run: CliRun; peaks: FleetPeaks }> {
  let sampler: FleetSampler | undefined;
  const run = await project.deploy(args, { timeoutMs: 7_200_000, onSpawn: (pid) => (sampler = new FleetSampler(pid)) });
  return { run, peaks: sampler!.stop() };
}

/** A runner command that must succeed: its output ends the benchmark otherwise. */
async function mustPass(project: BenchProject, args: string[]): Promise<{ run: CliRun; peaks: FleetPeaks }> {
  const result = await sampled(project, args);
  if (result.run.code !== 0)
    throw new Error(
      `deploy ${args.join(" ")} failed (${result.run.code}):\n${result.run.stdout.slice(-3000)}\n${result.run.stderr.slice(-3000)}`,
    );
  return result;
}

export async function shardRow(opts: {
  channels: number;
  shards: number;
  parallel?: number;
  full?: boolean;
  rate?: { requests: number; perSeconds: number };
  tokenPoolSize?: number;
  log?: (m: string) => void;
}): Promise<ShardRow> {
  if (!Number.isInteger(opts.channels) || opts.channels < 1)
    throw new Error(`--channels (--shard-channels in run.js) must be a whole number from 1 (got ${opts.channels})`);
  if (!Number.isInteger(opts.shards) || opts.shards < 1 || opts.shards > opts.channels)
    throw new Error(`--shards must be whole numbers from 1 to the channel count, e.g. 1,4 (got ${opts.shards})`);
  const log = opts.log ?? (() => undefined);
  const parallel = opts.parallel ?? opts.shards;
  const stacks = Array.from({ length: opts.shards }, (_, i) => `shard${i}`);
  const pool = opts.tokenPoolSize ?? 1;
  const services = await startServices({ receiver: true, rateLimit: opts.rate });
  const perSecond = opts.rate ? opts.rate.requests / opts.rate.perSeconds : undefined;
  const { config, secrets } = stackConfig(
    services,
    perSecond ? { "genesys:maxRequestsPerSecond": String(perSecond), "genesys:tokenPoolSize": String(pool) } : {},
  );
  const project = await BenchProject.create(`shard-${opts.channels}x${opts.shards}`, "dist/stacks/index.js", config, secrets, { stacks });
  try {
    const declared = benchChannels(opts.channels, "shard");
    const slices = split(declared, opts.shards);
    for (const [i, stack] of stacks.entries()) {
      const file = project.file(`${stack}.json`);
      fs.writeFileSync(file, JSON.stringify(slices[i]));
      await project.cli(["config", "set", "--stack", stack, "channelsFile", file], { check: true });
    }
    const list = ["--stacks", stacks.join(","), "--parallel", String(parallel)];

    const tokensBefore = await services.tokensIssued();
    const up = await mustPass(project, [...list, "--command", "up"]);
    log(`  up ${round(up.run.wallMs / 1000)} s`);
    const stackUpS = stacks.map((s) => {
      const m = new RegExp(`\\[${s}\\] up done: .* in ([\\d.]+) s`).exec(up.run.stdout);
      return m ? Number(m[1]) : NaN;
    });
    const checkpointBytes = stacks.map((s) => {
      const file = findFile(path.join(project.dir, "state"), `${s}.json`);
      return file ? fs.statSync(file).size : 0;
    });
    const calls = countCalls(await services.requests());
    const tokensIssued = (await services.tokensIssued()) - tokensBefore;
    const channelsOnce = exactlyOnce(
      await services.names("brands"),
      declared.map((c) => c.name),
    );
    const webhooksOnce = exactlyOnce(
      await services.names("webhooks"),
      declared.map((c) => `lb-sync-${c.resourceName}`),
    );

    const preview = await sampled(project, [...list, "--command", "preview", "--expect-no-changes"]);
    log(`  preview ${round(preview.run.wallMs / 1000)} s (exit ${preview.run.code})`);
    if (preview.run.code !== 0) log(preview.run.stdout.slice(-2000));
    let refreshS: number | undefined;
    let destroyS: number | undefined;
    let destroyedAll: boolean | undefined;
    if (opts.full) {
      refreshS = round((await mustPass(project, [...list, "--command", "refresh", "--expect-no-changes"])).run.wallMs / 1000);
      log(`  refresh ${refreshS} s`);
      destroyS = round((await mustPass(project, [...list, "--command", "destroy"])).run.wallMs / 1000);
      log(`  destroy ${destroyS} s`);
      destroyedAll = (await services.names("brands")).length === 0 && (await services.names("webhooks")).length === 0;
    }
    const floorS = perSecond ? calls.needed / (perSecond * opts.shards * pool) : 0;
    return {
      channels: opts.channels,
      shards: opts.shards,
      parallel,
      upS: round(up.run.wallMs / 1000),
      stackUpS,
      previewS: round(preview.run.wallMs / 1000),
      up: up.peaks,
      checkpointBytes,
      calls,
      channelsOnce,
      webhooksOnce,
      converged: preview.run.code === 0,
      refreshS,
      destroyS,
      destroyedAll,
      rateBound: opts.rate
        ? { perTokenRate: opts.rate, tokenPoolSize: pool, floorS: round(floorS), ratio: round(up.run.wallMs / 1000 / floorS), tokensIssued }
        : undefined,
    };
  } finally {
    project.cleanup();
    await services.close();
  }
}

export const shardPass = (r: ShardRow): boolean =>
  r.channelsOnce &&
  r.webhooksOnce &&
  r.converged &&
  r.calls.failed === 0 &&
  r.destroyedAll !== false &&
  (!r.rateBound || (r.calls.throttled === 0 && r.rateBound.tokensIssued === r.shards * r.rateBound.tokenPoolSize));

export function shardLines(rows: ShardRow[]): string[] {
  const lines = [
    "shard (no rate limit; N channels + N webhooks in total, K stacks of N/K run by dist/cli/deploy.js --parallel K)",
    "  channels | stacks | up s (per stack) | preview s | checkpoint KB per stack | CLI written MB (up, all) | CLI peak MB (one / together) | provider peak MB (one / together) | API calls | once | converged",
  ];
  for (const r of rows) {
    lines.push(
      `  ${r.channels} (+${r.channels}) | ${r.shards} | ${r.upS} (${r.stackUpS.join(", ")}) | ${r.previewS} | ` +
        `${r.checkpointBytes.map((b) => Math.round(b / 1024)).join(", ")} | ${round(r.up.cliWrittenBytes / 1e6, 1)} | ` +
        `${r.up.cliPeakRssMb} / ${r.up.cliTogetherPeakMb} | ${r.up.providerPeakRssMb} / ${r.up.providerTogetherPeakMb} | ` +
        `${r.calls.needed} (failed ${r.calls.failed}) | ${r.channelsOnce && r.webhooksOnce} | ${r.converged}   ${shardPass(r) ? "PASS" : "FAIL"}`,
    );
    lines.push(`    up CPU s: CLIs ${r.up.cliCpuS}, providers ${r.up.providerCpuS}, language hosts + programs ${r.up.otherCpuS}`);
    if (r.refreshS !== undefined)
      lines.push(`    refresh ${r.refreshS} s, destroy ${r.destroyS} s, emulator empty after destroy: ${r.destroyedAll}`);
    if (r.rateBound)
      lines.push(
        `    API-bound at ${r.rateBound.perTokenRate.requests}/${r.rateBound.perTokenRate.perSeconds} s per token, ${r.shards} stacks x ` +
          `${r.rateBound.tokenPoolSize} token(s): wall ${r.upS} s / floor ${r.rateBound.floorS} s = ${r.rateBound.ratio}, ` +
          `429s ${r.calls.throttled}, tokens ${r.rateBound.tokensIssued}, busiest second ${r.calls.peakPerSecond}`,
      );
  }
  const single = rows.find((r) => r.shards === 1);
  for (const r of rows.filter((x) => x.shards > 1 && single && x.channels === single.channels))
    lines.push(
      `  ${r.shards} shards / single stack at ${r.channels}: up ${round(r.upS / single!.upS)}x, preview ${round(r.previewS / single!.previewS)}x`,
    );
  return lines;
}

async function main(): Promise<number> {
  const channels = Number(flag("channels", "400"));
  const shards = flag("shards", "1,4").split(",").filter(Boolean).map(Number);
  const parallel = flag("parallel", "");
  const full = process.argv.includes("--full");
  const rateFlag = flag("rate", "");
  const [requests, perSeconds] = rateFlag.split("/").map(Number);
  if (rateFlag && !(requests! > 0 && perSeconds! > 0)) throw new Error(`--rate must be requests/seconds, e.g. 5/1 (got "${rateFlag}")`);
  const rate = rateFlag ? { requests: requests!, perSeconds: perSeconds! } : undefined;
  const tokenPoolSize = Number(flag("token-pool-size", "1"));
  if (!Number.isInteger(tokenPoolSize) || tokenPoolSize < 1)
    throw new Error(`--token-pool-size must be a whole number from 1 (got ${tokenPoolSize})`);
  const log = (m: string) => process.stderr.write(`[bench shard ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  const rows: ShardRow[] = [];
  for (const k of shards) {
    log(`${channels} channels in ${k} stack(s) ...`);
    rows.push(await shardRow({ channels, shards: k, parallel: parallel ? Number(parallel) : undefined, full, rate, tokenPoolSize, log }));
  }
  const m = machine();
  console.log([...shardLines(rows), `machine: nproc ${m.nproc}, ${m.cpu}, node ${m.node}, ${m.platform}, ${m.date}`].join("\n"));
  const pass = rows.every(shardPass);
  console.log(JSON.stringify({ bench: "shard", pass, rows, machine: m }));
  return pass ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`bench shard: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
