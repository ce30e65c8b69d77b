/**
 * `npm run bench`: every benchmark, one after another, each reporting a ratio measured in the same
 * run, then a summary and one machine-readable JSON line. Exits 1 when a target is missed.
 *
 *   node dist/bench/run.js [--only preview,throughput,seed,emulator,audit] [--channels 100]
 *     [--rates 20/1,10/1,5/1] [--reps 3] [--max-rps auto|off|N] [--pulumi-args "--parallel 16"]
 *     [--audit-baseline-budget-s 60]
 *
 * Everything talks to 127.0.0.1 only; every loop is bounded in count and in time.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { emulatorRpsBench, type EmulatorRpsResult } from "./emulator-rps";
import { type PreviewResult, type RefreshResult, type ThroughputResult, previewBench, throughputAndRefreshBench } from "./pulumi-stack";
import { runSeedBaseline, type SeedResult } from "./seed-baseline";
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
  const m = machine();
  lines.push(
    `machine: nproc ${m.nproc}, ${m.cpu}, node ${m.node}, ${m.platform}, ${m.date}; total ${round((performance.now() - started) / 1000, 0)} s`,
  );
  console.log(lines.join("\n"));
  const pass =
    (p?.pass ?? true) &&
    results.throughput.every((t) => t.up.pass && t.refresh.exactlyOneReadEach) &&
    (e ? e.errors === 0 && e.non2xx === 0 : true) &&
    (a?.pass ?? true);
  console.log(JSON.stringify({ bench: "all", pass, ...results, machine: m }));
  return pass ? 0 : 1;
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
