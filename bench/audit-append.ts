/**
 * Audit append benchmark: is the cost of one append flat as the day file grows?
 *
 *   node dist/bench/audit-append.js [--records 10000] [--baseline-records 10000] [--baseline-budget-s 240] [--dir DIR]
 *
 * Times every append of our AuditTrail (lock + tail read + one write + fsync) and of the seed's
 * rewrite-the-whole-array writer, then compares the mean per-record time of the first 1,000 with
 * the last 1,000. Ours must stay within 1.5x; exits 1 otherwise. The baseline stops early when it
 * exceeds its time budget (its cost per record grows with the file, so 10,000 can take many minutes).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AuditTrail, verifyTrail, type AuditEvent } from "../provider/audit";
import { SeedProvisioningMetrics } from "./seed-audit-baseline";

const WINDOW = 1_000;
const MAX_RATIO = 1.5;

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

// The seed tutorial's own example payload: what a provisioning call would hash.
const channelPayload = {
  name: "Enterprise Web Messaging Endpoint",
  description: "API-provisioned channel with TLS and rate limit enforcement",
  endpointUrl: "https://wss.example.com/messages",
  allowedOrigins: ["https://app.example.com"],
  channelTypes: ["webchat"],
  settings: {
    maxConcurrentSessions: 8000,
    rateLimitThreshold: 3000,
    tlsCertificateChain: ["-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"],
    healthCheckInterval: 300,
  },
};

interface Result {
  records: number;
  totalS: number;
  firstMeanMs: number;
  lastMeanMs: number;
  ratio: number;
  firstP50Ms: number;
  lastP50Ms: number;
  fileBytes: number;
  stoppedEarly: boolean;
}

function summarizeTimes(times: number[], fileBytes: number, stoppedEarly: boolean): Result {
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  const first = times.slice(0, WINDOW);
  const last = times.slice(-WINDOW);
  return {
    records: times.length,
    totalS: times.reduce((a, b) => a + b, 0) / 1000,
    firstMeanMs: mean(first),
    lastMeanMs: mean(last),
    ratio: mean(last) / mean(first),
    firstP50Ms: p50(first),
    lastP50Ms: p50(last),
    fileBytes,
    stoppedEarly,
  };
}

function dirBytes(dir: string, names: string[]): number {
  return names.reduce((sum, n) => sum + statSync(path.join(dir, n)).size, 0);
}

async function benchOurs(dir: string, n: number): Promise<{ result: Result; verifyS: number; verifiedOk: boolean }> {
  // A fixed clock keeps all records in one day file, the case where a rewrite-based design hurts most.
  const day = new Date();
  const trail = new AuditTrail({ dir, now: () => day, secrets: ["bench-client-secret"] });
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const event: AuditEvent = {
      action: i % 10 === 0 ? "create" : i % 10 === 1 ? "health" : "read",
      resourceType: "genesys:WebMessagingChannel",
      resourceName: `channel-${i % 50}`,
      targetId: `brand-${i % 50}`,
      outcome: i % 17 === 0 ? "failure" : "success",
      durationMs: 40 + (i % 90),
      attempts: 1 + (i % 3 === 0 ? 1 : 0),
      retries: i % 3 === 0 ? 1 : 0,
      correlationIds: [`corr-${i}`],
      ...(i % 17 === 0 ? { error: "429 Too Many Requests from POST /api/v2/webchat/brands (Authorization: Bearer abc.def)" } : {}),
      payload: { ...channelPayload, name: `channel-${i % 50}` },
      actor: "bench-client-id",
    };
    const t0 = process.hrtime.bigint();
    await trail.append(event);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const v0 = process.hrtime.bigint();
  const verified = await verifyTrail(dir);
  const verifyS = Number(process.hrtime.bigint() - v0) / 1e9;
  return {
    result: summarizeTimes(times, dirBytes(dir, verified.files), false),
    verifyS,
    verifiedOk: verified.ok && verified.records === n,
  };
}

async function benchSeed(dir: string, n: number, budgetS: number): Promise<Result> {
  const seed = new SeedProvisioningMetrics(dir);
  const times: number[] = [];
  let spent = 0;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await seed.recordEvent(
      i % 17 === 0 ? "PROVISION_CHANNEL_FAILED" : "PROVISION_CHANNEL",
      channelPayload,
      { success: i % 17 !== 0, brandId: `brand-${i % 50}` },
      40 + (i % 90),
    );
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    times.push(ms);
    spent += ms / 1000;
    if (spent > budgetS && times.length >= 2 * WINDOW) break;
  }
  const { readdirSync } = await import("node:fs");
  return summarizeTimes(times, dirBytes(dir, readdirSync(dir)), times.length < n);
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ");
}

async function main(): Promise<number> {
  const records = Number(flag("records", "10000"));
  const baselineRecords = Number(flag("baseline-records", "10000"));
  const budgetS = Number(flag("baseline-budget-s", "240"));
  const base = mkdtempSync(path.join(flag("dir", os.tmpdir()), "audit-bench-"));
  try {
    const oursDir = path.join(base, "ours");
    const seedDir = path.join(base, "seed");
    const ours = await benchOurs(oursDir, records);
    await import("node:fs").then((fs) => fs.mkdirSync(seedDir, { recursive: true }));
    const seed = await benchSeed(seedDir, baselineRecords, budgetS);

    const widths = [28, 8, 14, 14, 7, 12, 12, 10];
    const header = ["writer", "records", "first1k ms/rec", "last1k ms/rec", "ratio", "first1k p50", "last1k p50", "total s"];
    const fmt = (name: string, r: Result): string[] => [
      name,
      `${r.records}${r.stoppedEarly ? "*" : ""}`,
      r.firstMeanMs.toFixed(3),
      r.lastMeanMs.toFixed(3),
      r.ratio.toFixed(2),
      r.firstP50Ms.toFixed(3),
      r.lastP50Ms.toFixed(3),
      r.totalS.toFixed(1),
    ];
    console.log(row(header, widths));
    console.log(row(fmt("AuditTrail (fsync each)", ours.result), widths));
    console.log(row(fmt("seed rewrite-array (no fsync)", seed), widths));
    if (seed.stoppedEarly) console.log(`* baseline stopped after ${budgetS} s of appends`);
    console.log(`verifyTrail over ${records} records: ${ours.verifyS.toFixed(2)} s, ok=${ours.verifiedOk}`);
    const pass = ours.result.ratio <= MAX_RATIO && ours.verifiedOk;
    console.log(
      JSON.stringify({
        bench: "audit-append",
        pass,
        maxRatio: MAX_RATIO,
        ours: ours.result,
        oursVerifyS: ours.verifyS,
        seedBaseline: seed,
        machine: {
          nproc: os.availableParallelism(),
          cpu: os.cpus()[0]?.model,
          node: process.version,
          platform: `${os.platform()} ${os.release()}`,
          dir: base,
        },
        date: new Date().toISOString(),
      }),
    );
    return pass ? 0 : 1;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
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
