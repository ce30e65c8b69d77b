import { renameSync, statSync, truncateSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { AuditTrail, verifyTrail } from "../../../provider/audit";
import { recordHash } from "../../../provider/audit/hash";
import { clock, event, rewriteLines, tempDir } from "./helpers";

const DAY1 = "audit-2025-03-01.jsonl";
const DAY2 = "audit-2025-03-02.jsonl";

describe("verifyTrail", () => {
  let dir: string;

  // Two days of five records each: seq 1-5 in DAY1, 6-10 in DAY2.
  beforeEach(async () => {
    dir = tempDir();
    const c = clock("2025-03-01T12:00:00Z");
    const trail = new AuditTrail({ dir, now: c.now });
    for (let i = 0; i < 5; i++) await trail.append(event({ durationMs: i }));
    c.set("2025-03-02T12:00:00Z");
    for (let i = 5; i < 10; i++) await trail.append(event({ durationMs: i }));
  });

  it("accepts an untouched trail", async () => {
    await expect(verifyTrail(dir)).resolves.toEqual({ ok: true, records: 10, files: [DAY1, DAY2], problems: [] });
  });

  it("names the file, line and seq of an edited field", async () => {
    rewriteLines(path.join(dir, DAY1), (ls) => ls.map((l, i) => (i === 2 ? l.replace('"outcome":"success"', '"outcome":"failure"') : l)));
    const result = await verifyTrail(dir);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ file: DAY1, line: 3, seq: 3, reason: expect.stringContaining("edited") }]);
  });

  it("catches an edit whose author also recomputed the record's hash, at the next record", async () => {
    rewriteLines(path.join(dir, DAY1), (ls) =>
      ls.map((l, i) => {
        if (i !== 2) return l;
        const rec = JSON.parse(l) as Record<string, unknown>;
        rec.durationMs = 9999;
        rec.hash = recordHash(rec);
        return JSON.stringify(rec);
      }),
    );
    const result = await verifyTrail(dir);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ file: DAY1, line: 4, seq: 4, reason: expect.stringContaining("prevHash") }]);
  });

  it("names the record after a deleted line", async () => {
    rewriteLines(path.join(dir, DAY1), (ls) => ls.filter((_, i) => i !== 1));
    const result = await verifyTrail(dir);
    expect(result.ok).toBe(false);
    expect(result.records).toBe(9);
    expect(result.problems).toEqual([
      { file: DAY1, line: 2, seq: 3, reason: expect.stringContaining("prevHash") },
      { file: DAY1, line: 2, seq: 3, reason: "seq 3 where 2 was expected" },
    ]);
  });

  it("names both lines of a reordered pair", async () => {
    rewriteLines(path.join(dir, DAY2), (ls) => [ls[0], ls[2], ls[1], ls[3], ls[4]] as string[]);
    const result = await verifyTrail(dir);
    expect(result.ok).toBe(false);
    const located = new Set(result.problems.map((p) => `${p.file}:${p.line}:${p.seq}`));
    expect(located).toContain(`${DAY2}:2:8`);
    expect(located).toContain(`${DAY2}:3:7`);
    // Record 9 now follows 7 in the file; it is named as chaining back to 8 rather than as a loss.
    expect(result.problems).toContainEqual({
      file: DAY2,
      line: 4,
      seq: 9,
      reason: `out of order: chains to seq 8 at ${DAY2}:2, not to the line before it`,
    });
    expect(result.problems.some((p) => p.line === 5)).toBe(false);
  });

  it("detects a line inserted into the middle of the chain", async () => {
    const file = path.join(dir, DAY1);
    rewriteLines(file, (ls) => [...ls.slice(0, 2), ls[1] as string, ...ls.slice(2)]);
    const result = await verifyTrail(dir);
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({ file: DAY1, line: 3, seq: 2 });
  });

  it("reports a truncated last line", async () => {
    const file = path.join(dir, DAY2);
    truncateSync(file, statSync(file).size - 20);
    const result = await verifyTrail(dir);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ file: DAY2, line: 5, reason: expect.stringContaining("truncated") }]);
  });

  it("reports a last line cut just before its newline", async () => {
    const file = path.join(dir, DAY2);
    truncateSync(file, statSync(file).size - 1);
    const result = await verifyTrail(dir);
    expect(result.problems).toEqual([{ file: DAY2, line: 5, seq: 10, reason: expect.stringContaining("truncated") }]);
  });

  it("detects a whole day file removed from the start of the trail", async () => {
    renameSync(path.join(dir, DAY1), path.join(dir, "removed.bak"));
    const result = await verifyTrail(dir);
    expect(result.ok).toBe(false);
    expect(result.problems[0]).toMatchObject({ file: DAY2, line: 1, seq: 6, reason: expect.stringContaining("genesis") });
  });

  it("ignores files that are not day files", async () => {
    writeFileSync(path.join(dir, "notes.txt"), "not a record\n");
    writeFileSync(path.join(dir, `${DAY1}.bak`), "garbage\n");
    await expect(verifyTrail(dir)).resolves.toEqual({ ok: true, records: 10, files: [DAY1, DAY2], problems: [] });
  });
});
