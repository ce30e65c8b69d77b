import * as path from "node:path";
import type { AuditMetrics, AuditRecord } from "./types";
import { readRecords } from "./verify";

/** Operations that bring a channel under management: the seed's "handshake" success rate. */
const PROVISIONING_ACTIONS = new Set(["create", "adopt"]);

/** Nearest-rank percentile: always a latency that was actually observed. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

type MetricInput = Pick<AuditRecord, "action" | "outcome" | "durationMs">;

export function computeMetrics(records: Iterable<MetricInput>): AuditMetrics {
  const all: number[] = [];
  const perAction = new Map<string, { latencies: number[]; failures: number }>();
  let successes = 0;
  let failures = 0;
  let provisioning = 0;
  let provisioned = 0;

  for (const r of records) {
    const latency = typeof r.durationMs === "number" && Number.isFinite(r.durationMs) ? r.durationMs : 0;
    const failed = r.outcome !== "success";
    all.push(latency);
    if (failed) failures++;
    else successes++;
    let bucket = perAction.get(r.action);
    if (!bucket) perAction.set(r.action, (bucket = { latencies: [], failures: 0 }));
    bucket.latencies.push(latency);
    if (failed) bucket.failures++;
    if (PROVISIONING_ACTIONS.has(r.action)) {
      provisioning++;
      if (!failed) provisioned++;
    }
  }

  const byAction: AuditMetrics["byAction"] = {};
  for (const action of [...perAction.keys()].sort()) {
    const b = perAction.get(action)!;
    const sorted = [...b.latencies].sort((x, y) => x - y);
    byAction[action] = {
      count: b.latencies.length,
      failures: b.failures,
      averageLatencyMs: mean(sorted),
      p95LatencyMs: percentile(sorted, 95),
    };
  }
  all.sort((x, y) => x - y);
  return {
    totalAttempts: all.length,
    successes,
    failures,
    averageLatencyMs: mean(all),
    p95LatencyMs: percentile(all, 95),
    provisioningSuccessRate: provisioning === 0 ? 0 : provisioned / provisioning,
    byAction,
  };
}

/** Metrics over the records on disk; unreadable lines are skipped here (verifyTrail reports them). */
export async function summarize(dir: string, opts: { since?: Date } = {}): Promise<AuditMetrics> {
  const since = opts.since;
  const sinceMs = since?.getTime();
  const records: MetricInput[] = [];
  for await (const entry of readRecords(path.resolve(dir), since ? { fromDay: since.toISOString().slice(0, 10) } : {})) {
    const r = entry.record;
    if (!r || typeof r.action !== "string") continue;
    if (sinceMs !== undefined && !(Date.parse(r.timestamp) >= sinceMs)) continue;
    records.push({ action: r.action, outcome: r.outcome, durationMs: r.durationMs });
  }
  return computeMetrics(records);
}
