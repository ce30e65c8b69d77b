import { describe, expect, it } from "vitest";
import type { AuditMetrics } from "../../../provider/audit";
import { type ReportMeta, renderHtml } from "../../../cli/audit/html";

function metrics(byAction: AuditMetrics["byAction"]): AuditMetrics {
  const all = Object.values(byAction);
  const count = all.reduce((n, a) => n + a.count, 0);
  const failures = all.reduce((n, a) => n + a.failures, 0);
  return {
    totalAttempts: count,
    successes: count - failures,
    failures,
    averageLatencyMs: 12.34,
    p95LatencyMs: 56.78,
    provisioningSuccessRate: 0.5,
    byAction,
  };
}

const meta = (over: Partial<ReportMeta> = {}): ReportMeta => ({
  dir: "/var/audit",
  generatedAt: new Date("2026-01-31T10:00:00Z"),
  verified: { ok: true, records: 3, problems: 0 },
  ...over,
});

describe("audit report HTML", () => {
  it("escapes action names and the directory, which come from the trail and the command line", () => {
    const html = renderHtml(
      metrics({ '<img src=x onerror="alert(1)">': { count: 1, failures: 0, averageLatencyMs: 1, p95LatencyMs: 1 } }),
      meta({ dir: "/tmp/<b>&'audit'" }),
    );
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
    expect(html).toContain("<code>/tmp/&lt;b&gt;&amp;&#39;audit&#39;</code>");
  });

  it("flags a broken chain and points at audit verify", () => {
    const html = renderHtml(metrics({}), meta({ verified: { ok: false, records: 9, problems: 2 } }));
    expect(html).toContain('<span class="bad">CHAIN BROKEN: 2 problem(s), run &quot;audit verify&quot;</span>');
    expect(html).not.toContain("chain intact");
  });

  it("says so when there are no records or no create/adopt to rate", () => {
    const html = renderHtml(metrics({}), meta());
    expect(html).toContain(">no records</text>");
    expect(html).toContain("<td>n/a (no create/adopt)</td>");
  });

  it("scales the bars to the slowest p95 and states the provisioning basis", () => {
    const html = renderHtml(
      metrics({
        create: { count: 4, failures: 2, averageLatencyMs: 50, p95LatencyMs: 100 },
        read: { count: 2, failures: 0, averageLatencyMs: 10, p95LatencyMs: 25 },
      }),
      meta({ generatedAt: new Date("2026-02-01T00:00:00Z") }),
    );
    // The slowest p95 spans the whole 480 px chart; the others are in proportion.
    expect(html).toContain('width="480" height="11" fill="#f28e2b"');
    expect(html).toContain('width="240" height="11" fill="#4e79a7"');
    expect(html).toContain('width="120" height="11" fill="#f28e2b"');
    expect(html).toContain("<td>50.0 % (2/4 create/adopt)</td>");
    expect(html).toContain("generated 2026-02-01T00:00:00.000Z");
  });
});
