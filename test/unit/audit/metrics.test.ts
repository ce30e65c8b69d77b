import { describe, expect, it } from "vitest";
import { AuditTrail, summarize, type AuditEvent } from "../../../provider/audit";
import { computeMetrics, percentile } from "../../../provider/audit/metrics";
import { clock, event, tempDir } from "./helpers";

describe("percentile (nearest rank)", () => {
  it("returns an observed value: p95 of 1..20 is 19, of 1..100 is 95, of one value is that value", () => {
    expect(
      percentile(
        Array.from({ length: 20 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(19);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBe(0);
  });
});

describe("summarize", () => {
  async function seed(dir: string, events: AuditEvent[], now: () => Date): Promise<void> {
    const trail = new AuditTrail({ dir, now });
    for (const e of events) await trail.append(e);
  }

  it("computes totals, latency and provisioning success rate from known records", async () => {
    const dir = tempDir();
    const c = clock("2025-03-01T10:00:00Z");
    // 20 creates with latencies 10..200 (p95 = 190), 2 of them failed; 1 failed adopt; 4 reads: 3 failures in 25.
    const events: AuditEvent[] = [
      ...Array.from({ length: 20 }, (_, i) =>
        event({ action: "create", durationMs: (i + 1) * 10, outcome: i < 2 ? "failure" : "success" }),
      ),
      event({ action: "adopt", durationMs: 50, outcome: "failure" }),
      ...[1, 2, 3, 1000].map((d) => event({ action: "read", durationMs: d })),
    ];
    await seed(dir, events, c.now);

    const m = await summarize(dir);
    expect(m.totalAttempts).toBe(25);
    expect(m.successes).toBe(22);
    expect(m.failures).toBe(3);
    // Latencies: 10..200 step 10 (sum 2100), 50, 1, 2, 3, 1000 -> sum 3156 over 25.
    expect(m.averageLatencyMs).toBeCloseTo(3156 / 25, 10);
    // Sorted 25 values; nearest rank ceil(0.95 * 25) = 24th -> 200 (1000 is the 25th).
    expect(m.p95LatencyMs).toBe(200);
    expect(m.provisioningSuccessRate).toBeCloseTo(18 / 21, 10);
    expect(m.byAction.create).toEqual({ count: 20, failures: 2, averageLatencyMs: 105, p95LatencyMs: 190 });
    expect(m.byAction.read).toEqual({ count: 4, failures: 0, averageLatencyMs: 1006 / 4, p95LatencyMs: 1000 });
    expect(m.byAction.adopt).toEqual({ count: 1, failures: 1, averageLatencyMs: 50, p95LatencyMs: 50 });
  });

  it("counts only records at or after `since`, across day files", async () => {
    const dir = tempDir();
    const c = clock("2025-03-01T10:00:00Z");
    const trail = new AuditTrail({ dir, now: c.now });
    await trail.append(event({ durationMs: 1000 }));
    c.set("2025-03-02T09:00:00Z");
    await trail.append(event({ durationMs: 500 }));
    c.set("2025-03-02T11:00:00Z");
    await trail.append(event({ durationMs: 10, outcome: "failure" }));

    const m = await summarize(dir, { since: new Date("2025-03-02T10:00:00Z") });
    expect(m).toMatchObject({ totalAttempts: 1, failures: 1, averageLatencyMs: 10, provisioningSuccessRate: 0 });
    expect((await summarize(dir)).totalAttempts).toBe(3);
  });

  it("reports zeros, not NaN, for an empty trail", async () => {
    expect(await summarize(tempDir())).toEqual({
      totalAttempts: 0,
      successes: 0,
      failures: 0,
      averageLatencyMs: 0,
      p95LatencyMs: 0,
      provisioningSuccessRate: 0,
      byAction: {},
    });
  });

  it("does not count health checks or reads towards provisioning success", () => {
    const m = computeMetrics([
      { action: "create", outcome: "success", durationMs: 1 },
      { action: "health", outcome: "failure", durationMs: 1 },
      { action: "read", outcome: "failure", durationMs: 1 },
    ]);
    expect(m.provisioningSuccessRate).toBe(1);
  });
});
