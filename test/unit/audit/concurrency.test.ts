import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { verifyTrail, type AuditRecord } from "../../../provider/audit";
import { readRecords } from "../../../provider/audit/verify";
import { tempDir } from "./helpers";

const CHILD = path.join(__dirname, "fixtures", "append-child.cjs");

function runChild(dir: string, count: number, worker: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(count), String(worker)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`worker ${worker} exited ${code}: ${err}`)),
    );
  });
}

describe("several processes appending to one directory", () => {
  it("produce one linear chain: 4 processes x 50 appends give seq 1..200 and a clean verify", async () => {
    const dir = tempDir();
    const workers = [0, 1, 2, 3].map((w) => runChild(dir, 50, w));
    // Released together once every child has loaded, so their appends genuinely interleave.
    setTimeout(() => writeFileSync(path.join(dir, "go"), ""), 300);
    const seqsPerWorker = await Promise.all(workers);

    const allSeqs = seqsPerWorker.flat().sort((a, b) => a - b);
    expect(allSeqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));

    const records: AuditRecord[] = [];
    for await (const entry of readRecords(dir)) if (entry.record) records.push(entry.record);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(records.map((r) => r.pid)).size).toBe(4);

    const result = await verifyTrail(dir);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ ok: true, records: 200 });
  }, 60_000);
});
