/**
 * `npm run bench`: every benchmark, one after another, each reporting a ratio measured in the same
 * run, then a summary and one machine-readable JSON line. Exits 1 when a target is missed.
 *
 *   node dist/bench/run.js [--only preview,throughput,seed,emulator,audit] [--channels 100]
 *     [--rates 20/1,10/1,5/1] [--reps 3] [--max-rps auto|off|N] [--pulumi-args "--parallel 16"]
 *     [--audit-baseline-budget-s 60]
 *   node dist/bench/run.js --only scale [--sizes 100,400,1000] [--inline-sizes 100]
 *     [--pool-channels 1000] [--pool-size 10] [--pool-rate 5/1] [--scale-env PULUMI_SKIP_CHECKPOINTS=true]
 *   node dist/bench/run.js --only shard [--shard-channels 400] [--shards 1,4]
 *   node dist/bench/run.js --only plugin [--plugin-sizes 100,400] [--plugin-modes dynamic,sdk,yaml] [--startup-runs 5]
 *
 * Everything talks to 127.0.0.1 only; every loop is bounded in count and in time.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { emulatorRpsBench, type EmulatorRpsResult } from "./emulator-rps";
import { PLUGIN_MODES, type PluginBenchResult, type PluginMode, pluginBench, pluginLines, pluginPass } from "./plugin";
import { type PreviewResult, type RefreshResult, type ThroughputResult, previewBench, throughputAndRefreshBench } from "./pulumi-stack";
import { type PoolResult, type ScaleRow, scaleRow, tokenPoolRow } from "./scale";
import { runSeedBaseline, type SeedResult } from "./seed-baseline";
import { type ShardRow, shardLines, shardPass, shardRow } from "./shard";
import { benchChannels } from "./support/channels";
import { flag, machine, round } from "./support/machine";
import { startServices } from "./support/services";

interface Rate {
  requests: number;
  perSeconds: number;
}

function parseRates(text: string): Rate[] {
  return text.split(",").map((r) => {
    const [requests, perSeconds] = r.split("/").map(Number);
    if (!requests || !perSeconds) throw new Error(`--rates: "${r}" is not N/S`);
    return { requests, perSeconds };
  });
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function timed<T>(name: string, run: () => Promise<T>): Promise<T> {
  log(`${name} ...`);
  const t0 = performance.now();
  const result = await run();
  log(`${name} done in ${round((performance.now() - t0) / 1000, 1)} s`);
  return result;
}

/** The audit benchmark is its colleague's script: run it as it is run alone and keep its JSON line. */
function auditAppend(budgetS: string): Promise<{
  pass: boolean;
  ours: { ratio: number; totalS: number };
  seedBaseline: { ratio: number; records: number; stoppedEarly: boolean };
}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, "audit-append.js"), "--baseline-budget-s", budgetS], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 600_000);
    child.on("close", () => {
      clearTimeout(timer);
      const line = out
        .trim()
        .split("\n")
        .reverse()
        .find((l) => l.startsWith("{"));
      if (!line) return reject(new Error(`audit-append printed no result:\n${out}`));
      resolve(JSON.parse(line));
    });
  });
}

async function seedAt(rate: Rate, channels: number, uniqueWebhookNames: boolean): Promise<SeedResult> {
  const services = await startServices({ rateLimit: rate, receiver: true });
  try {
    return await runSeedBaseline({
      apiUrl: services.emulator.url,
      clientId: services.clientId,
      clientSecret: services.clientSecret,
      callbackUrl: `${services.receiver!.url}/events`,
      channels: benchChannels(channels, "seed"),
      uniqueWebhookNames,
      budgetMs: 240_000,
    });
  } finally {
    await services.close();
  }
}

async function main(): Promise<number> {
  const only = new Set(flag("only", "preview,throughput,seed,emulator,audit").split(","));
  const channels = Number(flag("channels", "100"));
  const rates = parseRates(flag("rates", "20/1,10/1,5/1"));
  const reps = Number(flag("reps", "3"));
  const maxRps = flag("max-rps", "auto");
  const cliArgs = flag("pulumi-args", "").split(" ").filter(Boolean);
  const started = performance.now();

  const results: {
    preview?: PreviewResult;
    throughput: { up: ThroughputResult; refresh: RefreshResult; maxRequestsPerSecond?: string }[];
    seed: { rate: Rate; asWritten: SeedResult; uniqueWebhookNames: SeedResult }[];
    emulator?: EmulatorRpsResult;
    audit?: Awaited<ReturnType<typeof auditAppend>>;
    scale?: { rows: ScaleRow[]; pool?: PoolResult; env: Record<string, string> };
    shard?: ShardRow[];
    plugin?: PluginBenchResult;
  } = { throughput: [], seed: [] };

  if (only.has("preview")) results.preview = await timed("preview", () => previewBench({ resources: channels, reps, cliArgs }));
  for (const rate of rates) {
    const perSecond = rate.requests / rate.perSeconds;
    const setting = maxRps === "off" ? undefined : maxRps === "auto" ? String(perSecond) : maxRps;
    if (only.has("throughput")) {
      const r = await timed(`throughput + refresh at ${rate.requests}/${rate.perSeconds}s`, () =>
        throughputAndRefreshBench({ channels, rate, cliArgs, stackConfig: setting ? { "genesys:maxRequestsPerSecond": setting } : {} }),
      );
      results.throughput.push({ ...r, maxRequestsPerSecond: setting });
    }
    if (only.has("seed")) {
      const asWritten = await timed(`seed baseline at ${rate.requests}/${rate.perSeconds}s`, () => seedAt(rate, channels, false));
      const uniqueWebhookNames = await timed(`seed baseline (unique webhook names) at ${rate.requests}/${rate.perSeconds}s`, () =>
        seedAt(rate, channels, true),
      );
      results.seed.push({ rate, asWritten, uniqueWebhookNames });
    }
  }
  if (only.has("emulator")) {
    const peak = Math.max(1, ...results.throughput.map((t) => t.up.calls.peakPerSecond), ...rates.map((r) => r.requests / r.perSeconds));
    results.emulator = await timed("emulator req/s", () => emulatorRpsBench({ connections: 10, durationS: 10, peakNeededRps: peak }));
  }
  if (only.has("scale")) results.scale = await scaleBench(cliArgs);
  if (only.has("shard")) results.shard = await shardBench();
  if (only.has("plugin")) results.plugin = await pluginBenchFromFlags(cliArgs);
  if (only.has("audit")) results.audit = await timed("audit append", () => auditAppend(flag("audit-baseline-budget-s", "60")));

  const lines: string[] = [];
  const p = results.preview;
  if (p) {
    lines.push(`preview (${p.resources} resources, median of ${p.reps}; target <= ${p.target})`);
    lines.push(`  new stack:  channels ${p.newStack.channelS} s, no-op ${p.newStack.noopS} s, ratio ${p.newStack.ratio}`);
    lines.push(`  after up:   channels ${p.afterUp.channelS} s, no-op ${p.afterUp.noopS} s, ratio ${p.afterUp.ratio}`);
    lines.push(
      `  serialized provider: ${p.providerBytes} bytes (no-op provider: ${p.noopProviderBytes}); state after up ${p.stateBytes} bytes, ` +
        `${Math.round(p.providerShareOfState * 100)}% of it __provider   ${p.pass ? "PASS" : "FAIL"}`,
    );
  }
  for (const { up, refresh, maxRequestsPerSecond } of results.throughput) {
    const r = `${up.rate.requests}/${up.rate.perSeconds}s`;
    lines.push(
      `throughput up at ${r} (${up.resources} resources, genesys:maxRequestsPerSecond ${maxRequestsPerSecond ?? "unset"}; target <= ${up.target})`,
    );
    lines.push(
      `  wall ${up.wallS} s, floor ${up.floorS} s (${up.calls.needed} calls), ratio ${up.ratio}; 429s ${up.calls.throttled}, tokens ${up.tokensIssued}, ` +
        `failed ${up.calls.failed}, exit ${up.exitCode}, pool ${up.poolSize}   ${up.pass ? "PASS" : "FAIL"}`,
    );
    lines.push(
      `  calls: ${Object.entries(up.calls.byRoute)
        .map(([k, v]) => `${k} x${v}`)
        .join(", ")}`,
    );
    lines.push(
      `refresh at ${r}: wall ${refresh.wallS} s, floor ${refresh.floorS} s (${refresh.calls.needed} reads), ratio ${refresh.ratio}; ` +
        `reads/resource ${refresh.readsPerResource}, exactly one each: ${refresh.exactlyOneReadEach}; 429s ${refresh.calls.throttled}, tokens ${refresh.tokensIssued}`,
    );
  }
  for (const s of results.seed) {
    const r = `${s.rate.requests}/${s.rate.perSeconds}s`;
    for (const [label, x] of [
      ["as written", s.asWritten],
      ["unique webhook names", s.uniqueWebhookNames],
    ] as const) {
      lines.push(
        `seed baseline at ${r} (${label}): wall ${x.wallS} s, ${x.succeeded}/${x.channels} channels ok, ${x.failed} failed` +
          `${x.stoppedEarly ? " (stopped at its time budget)" : ""}; ${
            Object.entries(x.failures)
              .map(([k, v]) => `${k} x${v}`)
              .join(", ") || "no failures"
          }`,
      );
    }
  }
  const e = results.emulator;
  if (e) {
    lines.push(
      `emulator: ${e.rps} req/s on ${e.route} (${e.connections} connections, ${e.durationS} s), p50 ${e.latencyP50Ms} ms, p99 ${e.latencyP99Ms} ms, ` +
        `non-2xx ${e.non2xx}, errors ${e.errors}; ${e.headroom}x the peak any benchmark needs (${e.peakNeededRps}/s)`,
    );
  }
  const a = results.audit;
  if (a) {
    lines.push(
      `audit append: ours last/first ${round(a.ours.ratio)} (${round(a.ours.totalS, 1)} s for 10k), seed ${round(a.seedBaseline.ratio)} over ${a.seedBaseline.records} records` +
        `${a.seedBaseline.stoppedEarly ? " (stopped at its time budget)" : ""}   ${a.pass ? "PASS" : "FAIL"}`,
    );
  }
  if (results.scale) lines.push(...scaleLines(results.scale));
  if (results.shard) lines.push(...shardLines(results.shard));
  if (results.plugin) lines.push(...pluginLines(results.plugin));
  const m = machine();
  lines.push(
    `machine: nproc ${m.nproc}, ${m.cpu}, node ${m.node}, ${m.platform}, ${m.date}; total ${round((performance.now() - started) / 1000, 0)} s`,
  );
  console.log(lines.join("\n"));
  const pass =
    (p?.pass ?? true) &&
    results.throughput.every((t) => t.up.pass && t.refresh.exactlyOneReadEach) &&
    (e ? e.errors === 0 && e.non2xx === 0 : true) &&
    (a?.pass ?? true) &&
    (results.scale ? scalePass(results.scale) : true) &&
    (results.shard ?? []).every(shardPass) &&
    (results.plugin ? pluginPass(results.plugin) : true);
  console.log(JSON.stringify({ bench: "all", pass, ...results, machine: m }));
  return pass ? 0 : 1;
}

/** Opt-in (`--only scale`): at 1,000 channels it runs for many minutes. */
async function scaleBench(cliArgs: string[]): Promise<{ rows: ScaleRow[]; pool?: PoolResult; env: Record<string, string> }> {
  const sizes = flag("sizes", "100,400,1000").split(",").filter(Boolean).map(Number);
  const inlineSizes = flag("inline-sizes", "").split(",").filter(Boolean).map(Number);
  const env: Record<string, string> = {};
  for (const kv of flag("scale-env", "").split(",").filter(Boolean)) {
    const [k, v] = kv.split("=");
    env[k!] = v ?? "";
  }
  const rows: ScaleRow[] = [];
  for (const [n, inline] of [...sizes.map((n) => [n, false] as const), ...inlineSizes.map((n) => [n, true] as const)]) {
    rows.push(
      await timed(`scale ${n} channels (${inline ? "inline" : "package"} provider)`, () =>
        scaleRow({ channels: n, inlineProvider: inline, cliArgs, env, log }),
      ),
    );
  }
  const poolChannels = Number(flag("pool-channels", "1000"));
  let pool: PoolResult | undefined;
  if (poolChannels > 0) {
    const [requests, perSeconds] = flag("pool-rate", "5/1").split("/").map(Number);
    const poolSize = Number(flag("pool-size", "10"));
    pool = await timed(`token pool: ${poolChannels} channels, ${poolSize} tokens at ${requests}/${perSeconds}s each`, () =>
      tokenPoolRow({ channels: poolChannels, perTokenRate: { requests: requests!, perSeconds: perSeconds! }, poolSize, cliArgs }),
    );
  }
  return { rows, pool, env };
}

/** Opt-in (`--only shard`): one stack of N against K stacks of N/K; at 400 it runs for several minutes. */
async function shardBench(): Promise<ShardRow[]> {
  const channels = Number(flag("shard-channels", "400"));
  const rows: ShardRow[] = [];
  for (const shards of flag("shards", "1,4").split(",").filter(Boolean).map(Number)) {
    rows.push(await timed(`shard: ${channels} channels in ${shards} stack(s)`, () => shardRow({ channels, shards, log })));
  }
  return rows;
}

/** Opt-in (`--only plugin`): the plugin beside the dynamic provider; at 400 channels it runs for many minutes. */
async function pluginBenchFromFlags(cliArgs: string[]): Promise<PluginBenchResult> {
  const sizes = flag("plugin-sizes", "100,400").split(",").filter(Boolean).map(Number);
  const modes = flag("plugin-modes", PLUGIN_MODES.join(",")).split(",").filter(Boolean);
  for (const m of modes)
    if (!(PLUGIN_MODES as readonly string[]).includes(m))
      throw new Error(`--plugin-modes: "${m}" is not one of ${PLUGIN_MODES.join(", ")}`);
  const startupRuns = Number(flag("startup-runs", "5"));
  return timed(`plugin vs dynamic: ${sizes.join(", ")} channels, ${modes.join(", ")}`, () =>
    pluginBench({ sizes, modes: modes as PluginMode[], startupRuns, cliArgs, log }),
  );
}

const GROWTH_TARGET = 12;
const OVERHEAD_TARGET = 1536;

function growth(rows: ScaleRow[], key: "upS" | "previewS" | "refreshS" | "destroyS") {
  const pkg = rows.filter((r) => r.provider === "package");
  const small = pkg.find((r) => r.channels === 100);
  const large = pkg.find((r) => r.channels === 1000);
  return small && large ? round(large[key] / small[key]) : undefined;
}

function scalePass(s: { rows: ScaleRow[]; pool?: PoolResult }): boolean {
  const growthOk = (["upS", "previewS", "refreshS", "destroyS"] as const).every((k) => (growth(s.rows, k) ?? 0) <= GROWTH_TARGET);
  const overheadOk = s.rows.filter((r) => r.provider === "package").every((r) => r.overheadPerResource <= OVERHEAD_TARGET);
  return growthOk && overheadOk && (s.pool?.pass ?? true);
}

function scaleLines(s: { rows: ScaleRow[]; pool?: PoolResult; env: Record<string, string> }): string[] {
  const env = Object.entries(s.env)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
  const lines = [
    `scale (no rate limit${env ? `; ${env}` : ""}; targets: 1000/100 growth <= ${GROWTH_TARGET}x, state overhead <= ${OVERHEAD_TARGET} B/resource)`,
    "  channels | provider | up s | preview s | refresh s | destroy s | state B | overhead B/res | __provider B | CLI written MB (up) | CLI peak MB | provider peak MB",
  ];
  for (const r of s.rows) {
    lines.push(
      `  ${r.channels} (+${r.channels}) | ${r.provider} | ${r.upS} | ${r.previewS} | ${r.refreshS} | ${r.destroyS} | ${r.stateBytes} | ${r.overheadPerResource} | ` +
        `${r.providerBytes} | ${round(r.up.cliWrittenBytes / 1e6, 1)} | ${r.up.cliPeakRssMb} | ${r.up.providerPeakRssMb}`,
    );
    lines.push(`    up CPU s: CLI ${r.up.cliCpuS}, provider ${r.up.providerCpuS}, language host + program ${r.up.programCpuS}`);
    lines.push(
      `    overhead B/res by field: ${Object.entries(r.overheadByField)
        .sort(([, a], [, b]) => b - a)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ")}`,
    );
  }
  const g = (["upS", "previewS", "refreshS", "destroyS"] as const)
    .map((k) => `${k.slice(0, -1)} ${growth(s.rows, k) ?? "n/a"}x`)
    .join(", ");
  const measuredGrowth = growth(s.rows, "upS") !== undefined;
  lines.push(
    measuredGrowth
      ? `  growth 1000/100: ${g}   ${scalePass({ rows: s.rows }) ? "PASS" : "FAIL"}`
      : "  growth 1000/100: not measured (needs --sizes with 100 and 1000)",
  );
  const p = s.pool;
  if (p) {
    lines.push(
      `token pool: up of ${p.channels} channels (+webhooks), ${p.poolSize} tokens at ${p.perTokenRate.requests}/${p.perTokenRate.perSeconds}s each: ` +
        `wall ${p.wallS} s, floor ${p.floorS} s (${p.calls.needed} calls), ratio ${p.ratio} (target <= ${p.target}); 429s ${p.calls.throttled}, ` +
        `tokens ${p.tokensIssued}, failed ${p.calls.failed}   ${p.pass ? "PASS" : "FAIL"}`,
    );
  }
  return lines;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
