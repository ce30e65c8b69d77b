import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { AuditTrail } from "../../../provider/audit";
import { main } from "../../../cli/audit";
import { clock, event, rewriteLines, tempDir } from "../audit/helpers";

function capture(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, env },
    stdout: () => out.join(""),
    stderr: () => err.join(""),
  };
}

async function trailWith(days: Record<string, number>): Promise<string> {
  const dir = tempDir();
  const c = clock("2025-01-01T00:00:00Z");
  const trail = new AuditTrail({ dir, now: c.now });
  for (const [day, n] of Object.entries(days)) {
    c.set(`${day}T12:00:00Z`);
    for (let i = 0; i < n; i++) {
      await trail.append(
        event({ action: i % 2 === 0 ? "create" : "read", durationMs: 10 * (i + 1), outcome: i === 1 ? "failure" : "success" }),
      );
    }
  }
  return dir;
}

describe("audit CLI", () => {
  it("verify exits 0 and says how many records and files are intact", async () => {
    const dir = await trailWith({ "2025-03-01": 3, "2025-03-02": 2 });
    const cap = capture();
    await expect(main(["verify", "--dir", dir], cap.io)).resolves.toBe(0);
    expect(cap.stdout()).toBe("OK: 5 records in 2 files, chain intact\n");
  });

  it("verify exits 1 and names each problem's file, line and seq", async () => {
    const dir = await trailWith({ "2025-03-01": 3 });
    rewriteLines(path.join(dir, "audit-2025-03-01.jsonl"), (ls) =>
      ls.map((l, i) => (i === 1 ? l.replace('"durationMs":20', '"durationMs":2') : l)),
    );
    const cap = capture();
    await expect(main(["verify", `--dir=${dir}`], cap.io)).resolves.toBe(1);
    expect(cap.stderr()).toContain("FAILED: 1 problem(s)");
    expect(cap.stderr()).toMatch(/audit-2025-03-01\.jsonl:2 \(seq 2\): hash does not match/);
    expect(cap.stdout()).toBe("");
  });

  it("reads the directory from AUDIT_DIR when --dir is absent", async () => {
    const dir = await trailWith({ "2025-03-01": 1 });
    const cap = capture({ AUDIT_DIR: dir });
    await expect(main(["verify"], cap.io)).resolves.toBe(0);
    expect(cap.stdout()).toContain("OK: 1 records in 1 files");
  });

  it("exits 1 when the audit directory does not exist", async () => {
    const cap = capture();
    await expect(main(["verify", "--dir", path.join(tempDir(), "missing")], cap.io)).resolves.toBe(1);
    expect(cap.stderr()).toContain("no audit directory");
  });

  it("exits 2 with usage on an unknown command or option", async () => {
    const cap = capture();
    await expect(main(["frobnicate", "--dir", tempDir()], cap.io)).resolves.toBe(2);
    await expect(main(["verify", "--colour", "red"], cap.io)).resolves.toBe(2);
    expect(cap.stderr()).toContain("usage: audit <command>");
  });

  it("exits 2 with usage when a flag's value is missing, instead of taking the next flag as the value", async () => {
    const cap = capture();
    await expect(main(["verify", "--dir", "--json"], cap.io)).resolves.toBe(2);
    expect(cap.stderr()).toContain("--dir");
    expect(cap.stderr()).toContain("usage: audit <command>");
  });

  it.each([
    [["verify", "--colour", "red"], 'audit: unknown option "--colour"'],
    [["verify", "--dir="], "audit: --dir needs a value"],
    [["summary", "--json=yes"], "audit: --json takes no value"],
    [["verify", "summary"], 'audit: unexpected argument "summary": give one command'],
    [["--json"], "audit: missing command"],
  ])("refuses %j with one line naming the option, then the usage, exit 2", async (argv, line) => {
    const cap = capture();
    await expect(main(argv, cap.io)).resolves.toBe(2);
    expect(cap.stderr().split("\n")[0]).toBe(line);
    expect(cap.stderr().split("\n")[1]).toMatch(/^usage: audit <command>/);
  });

  it("summary prints aligned overview and per-action tables", async () => {
    const dir = await trailWith({ "2025-03-01": 4 });
    const cap = capture();
    await expect(main(["summary", "--dir", dir], cap.io)).resolves.toBe(0);
    const text = cap.stdout();
    // create: 10 ms and 30 ms, both ok; read: 20 ms (failed) and 40 ms.
    expect(text).toContain(
      [
        "Metric                       Value",
        "-------------------------  -------  ------------------",
        "Attempts                         4  audited operations",
        "Successes                        3",
        "Failures                         1",
        "Average latency (ms)          25.0",
        "p95 latency (ms)              40.0",
        "Provisioning success rate  100.0 %  2/2 create/adopt",
      ].join("\n"),
    );
    expect(text).toContain(
      [
        "Action  Count  Failures  Avg ms  p95 ms",
        "------  -----  --------  ------  ------",
        "create      2         0    20.0    30.0",
        "read        2         1    30.0    40.0",
      ].join("\n"),
    );
  });

  it("summary --json prints the metrics object", async () => {
    const dir = await trailWith({ "2025-03-01": 2 });
    const cap = capture();
    await main(["summary", "--json", "--dir", dir], cap.io);
    expect(JSON.parse(cap.stdout())).toMatchObject({ totalAttempts: 2, failures: 1, provisioningSuccessRate: 1 });
  });

  it("report writes a self-contained HTML page with an inline SVG chart", async () => {
    const dir = await trailWith({ "2025-03-01": 4 });
    const out = path.join(tempDir(), "report.html");
    const cap = capture();
    await expect(main(["report", "--dir", dir, "--out", out], cap.io)).resolves.toBe(0);
    expect(existsSync(out)).toBe(true);
    const html = readFileSync(out, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("<svg");
    expect(html).toContain("chain intact (4 records)");
    expect(html).toContain("<td>create</td><td>2</td><td>0</td><td>20.0</td><td>30.0</td>");
    // Self-contained: nothing fetched from elsewhere.
    expect(html).not.toMatch(/<(script|link|img)\b[^>]*(src|href)=/i);
    expect(html).not.toMatch(/url\(/i);
  });

  it("summary --since counts only the records from that day on", async () => {
    const dir = await trailWith({ "2025-03-01": 4, "2025-03-02": 2 });
    const all = capture();
    await main(["summary", "--json", "--dir", dir], all.io);
    expect(JSON.parse(all.stdout())).toMatchObject({ totalAttempts: 6 });
    const recent = capture();
    await expect(main(["summary", "--json", "--dir", dir, "--since", "2025-03-02"], recent.io)).resolves.toBe(0);
    // 2025-03-02: a create of 10 ms that succeeded and a read of 20 ms that failed.
    expect(JSON.parse(recent.stdout())).toMatchObject({ totalAttempts: 2, successes: 1, failures: 1, averageLatencyMs: 15 });
    const later = capture();
    await main(["summary", "--json", "--dir", dir, "--since=2025-03-02T12:00:01Z"], later.io);
    expect(JSON.parse(later.stdout())).toMatchObject({ totalAttempts: 0 });
  });

  it("report --since charts only the records from that time on, while verifying the whole chain", async () => {
    const dir = await trailWith({ "2025-03-01": 4, "2025-03-02": 2 });
    const out = path.join(tempDir(), "report.html");
    await expect(main(["report", "--dir", dir, "--out", out, "--since", "2025-03-02"], capture().io)).resolves.toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toContain("chain intact (6 records)");
    expect(html).toContain("<td>create</td><td>1</td><td>0</td><td>10.0</td><td>10.0</td>");
  });

  it("refuses a --since that is not a date, with usage", async () => {
    const cap = capture();
    await expect(main(["summary", "--dir", tempDir(), "--since", "last tuesday"], cap.io)).resolves.toBe(2);
    expect(cap.stderr()).toContain("--since: not a date: last tuesday");
  });

  it("report without --out is a usage error", async () => {
    const cap = capture();
    await expect(main(["report", "--dir", tempDir()], cap.io)).resolves.toBe(2);
  });
});
