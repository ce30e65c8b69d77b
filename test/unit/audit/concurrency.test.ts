import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { verifyTrail, type AuditRecord } from "../../../provider/audit";
import { readRecords } from "../../../provider/audit/verify";
import { tempDir } from "./helpers";

const CHILD = path.join(__dirname, "fixtures", "append-child.cjs");

interface Worker {
  /** Resolves once the child has loaded the audit module and waits for the go signal. */
  ready: Promise<void>;
  /** The seqs the child's appends were given. */
  seqs: Promise<number[]>;
}

function runChild(dir: string, count: number, worker: number): Worker {
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const seqs = new Promise<number[]>((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, String(count), String(worker)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.startsWith("ready\n")) markReady();
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`worker ${worker} exited ${code}: ${err}`));
      const lines = out.trim().split("\n");
      resolve(JSON.parse(lines[lines.length - 1]!) as number[]);
    });
  });
  // A worker that dies before it is ready must fail the test, not leave it waiting.
  void seqs.catch(() => markReady());
  return { ready, seqs };
}

/** How often the writer changes from one record to the next: 3 when four writers ran one after another. */
function writerSwitches(records: AuditRecord[]): number {
  let switches = 0;
  for (let i = 1; i < records.length; i++) if (records[i]!.resourceName !== records[i - 1]!.resourceName) switches++;
  return switches;
}

describe("several processes appending to one directory", () => {
  it("produce one linear chain: 4 processes x 50 appends contend, interleave, and give seq 1..200 and a clean verify", async () => {
    const dir = tempDir();
    const workers = [0, 1, 2, 3].map((w) => runChild(dir, 50, w));
    // Released together only once every child has loaded, so their appends genuinely contend.
    await Promise.all(workers.map((w) => w.ready));
    writeFileSync(path.join(dir, "go"), "");
    const seqsPerWorker = await Promise.all(workers.map((w) => w.seqs));

    const allSeqs = seqsPerWorker.flat().sort((a, b) => a - b);
    expect(allSeqs).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));

    const records: AuditRecord[] = [];
    for await (const entry of readRecords(dir)) if (entry.record) records.push(entry.record);
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(records.map((r) => r.pid)).size).toBe(4);
    // Four writers that ran one after another would change hands exactly 3 times.
    expect(writerSwitches(records)).toBeGreaterThan(3);

    const result = await verifyTrail(dir);
    expect(result.problems).toEqual([]);
    expect(result).toMatchObject({ ok: true, records: 200 });
  }, 120_000);
});
