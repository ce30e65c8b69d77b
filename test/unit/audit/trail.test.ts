import { readdirSync, readFileSync, appendFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { AuditTrail, verifyTrail, type AuditRecord } from "../../../provider/audit";
import { canonicalJson, GENESIS_HASH, sha256Hex } from "../../../provider/audit/hash";
import { clock, event, lines, tempDir } from "./helpers";

describe("AuditTrail.append", () => {
  it("writes one JSON line per event that verifyTrail accepts", async () => {
    const dir = tempDir();
    const c = clock("2025-03-01T10:00:00.000Z");
    const trail = new AuditTrail({ dir, now: c.now });

    const first = await trail.append(event({ action: "check", durationMs: 3 }));
    const second = await trail.append(event({ action: "create", durationMs: 120, healthStatus: "active" }));

    const file = path.join(dir, "audit-2025-03-01.jsonl");
    const stored = lines(file).map((l) => JSON.parse(l) as AuditRecord);
    expect(stored).toEqual([first, second]);
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH, timestamp: "2025-03-01T10:00:00.000Z", pid: process.pid });
    expect(second.prevHash).toBe(first.hash);
    expect(second.seq).toBe(2);
    await expect(verifyTrail(dir)).resolves.toEqual({
      ok: true,
      records: 2,
      files: ["audit-2025-03-01.jsonl"],
      problems: [],
    });
  });

  it("hashes the canonical JSON of the record without its hash field", async () => {
    const dir = tempDir();
    const record = await new AuditTrail({ dir }).append(event());
    const { hash, ...rest } = record;
    expect(hash).toBe(sha256Hex(canonicalJson(rest)));
  });

  it("has the record on disk by the time append resolves", async () => {
    const dir = tempDir();
    const c = clock("2025-03-01T10:00:00.000Z");
    const record = await new AuditTrail({ dir, now: c.now }).append(event());
    expect(readFileSync(path.join(dir, "audit-2025-03-01.jsonl"), "utf8")).toBe(`${JSON.stringify(record)}\n`);
  });

  it("creates the directory when it does not exist", async () => {
    const dir = path.join(tempDir(), "nested", "audit");
    await new AuditTrail({ dir }).append(event());
    expect(readdirSync(dir).some((f) => f.endsWith(".jsonl"))).toBe(true);
  });

  it("continues the chain into the next UTC day's file", async () => {
    const dir = tempDir();
    const c = clock("2025-03-01T23:59:59.500Z");
    const trail = new AuditTrail({ dir, now: c.now });
    await trail.append(event());
    const lastOfDay = await trail.append(event());
    c.set("2025-03-02T00:00:00.100Z");
    const firstOfNextDay = await trail.append(event());

    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith(".jsonl"))
        .sort(),
    ).toEqual(["audit-2025-03-01.jsonl", "audit-2025-03-02.jsonl"]);
    expect(firstOfNextDay.seq).toBe(3);
    expect(firstOfNextDay.prevHash).toBe(lastOfDay.hash);
    const result = await verifyTrail(dir);
    expect(result).toMatchObject({ ok: true, records: 3, files: ["audit-2025-03-01.jsonl", "audit-2025-03-02.jsonl"] });
  });

  it("picks up the chain head written by another AuditTrail instance", async () => {
    const dir = tempDir();
    const a = new AuditTrail({ dir });
    const b = new AuditTrail({ dir });
    await a.append(event());
    const fromB = await b.append(event());
    const fromA = await a.append(event());
    expect([fromB.seq, fromA.seq]).toEqual([2, 3]);
    expect(fromA.prevHash).toBe(fromB.hash);
    expect((await verifyTrail(dir)).ok).toBe(true);
  });

  it("never writes into a day older than the newest file, so the chain stays in file order", async () => {
    const dir = tempDir();
    await new AuditTrail({ dir, now: () => new Date("2025-03-02T08:00:00Z") }).append(event());
    const skewed = await new AuditTrail({ dir, now: () => new Date("2025-03-01T23:00:00Z") }).append(event());
    expect(readdirSync(dir).filter((f) => f.endsWith(".jsonl"))).toEqual(["audit-2025-03-02.jsonl"]);
    expect(skewed.seq).toBe(2);
    expect((await verifyTrail(dir)).ok).toBe(true);
  });

  it("keeps call order for concurrent appends from one process", async () => {
    const dir = tempDir();
    const trail = new AuditTrail({ dir });
    const records = await Promise.all(Array.from({ length: 20 }, (_, i) => trail.append(event({ durationMs: i }))));
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(records.map((r) => r.durationMs)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect((await verifyTrail(dir)).ok).toBe(true);
  });

  it("refuses to append after a head that is not JSON, keeping the parse error as the cause", async () => {
    const dir = tempDir();
    const c = clock("2025-03-01T10:00:00.000Z");
    await new AuditTrail({ dir, now: c.now }).append(event());
    appendFileSync(path.join(dir, "audit-2025-03-01.jsonl"), "not json\n");
    const err = (await new AuditTrail({ dir, now: c.now }).append(event()).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('audit trail head in audit-2025-03-01.jsonl is not valid JSON; run "audit verify" before appending');
    expect(err.cause).toBeInstanceOf(SyntaxError);
  });

  it("after a crash left a partial line, appends on a fresh line chained to the last complete record", async () => {
    const dir = tempDir();
    const c = clock("2025-03-01T10:00:00.000Z");
    const trail = new AuditTrail({ dir, now: c.now });
    const complete = await trail.append(event());
    const file = path.join(dir, "audit-2025-03-01.jsonl");
    appendFileSync(file, '{"seq":2,"timestamp":"2025-03-01T10:00:0');

    const next = await new AuditTrail({ dir, now: c.now }).append(event());

    expect(next).toMatchObject({ seq: 2, prevHash: complete.hash });
    expect(JSON.parse(lines(file)[2] as string)).toEqual(next);
    // The cut line stays visible to an auditor rather than being silently repaired.
    const result = await verifyTrail(dir);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([{ file: "audit-2025-03-01.jsonl", line: 2, reason: expect.stringContaining("not valid JSON") }]);
  });

  it("stores neither the payload nor fields that were not given", async () => {
    const dir = tempDir();
    const record = await new AuditTrail({ dir }).append({
      action: "health",
      resourceType: "genesys:WebMessagingChannel",
      resourceName: "support-chat",
      outcome: "success",
      durationMs: 5,
      payload: { name: "support-chat", endpointUrl: "https://chat.example.com" },
    });
    expect(Object.keys(record).sort()).toEqual(
      [
        "action",
        "actor",
        "durationMs",
        "hash",
        "outcome",
        "payloadHash",
        "pid",
        "prevHash",
        "resourceName",
        "resourceType",
        "seq",
        "timestamp",
      ].sort(),
    );
    expect(JSON.stringify(record)).not.toContain("chat.example.com");
  });

  it("ignores fields a caller smuggles in, so seq, timestamp and the chain stay the writer's", async () => {
    const dir = tempDir();
    const c = clock("2025-03-01T10:00:00.000Z");
    const smuggled = { ...event(), seq: 99, timestamp: "1999-01-01T00:00:00.000Z", prevHash: "f".repeat(64), extra: "x" };
    const record = await new AuditTrail({ dir, now: c.now }).append(smuggled);
    expect(record).toMatchObject({ seq: 1, timestamp: "2025-03-01T10:00:00.000Z", prevHash: GENESIS_HASH });
    expect(record).not.toHaveProperty("extra");
    expect((await verifyTrail(dir)).ok).toBe(true);
  });

  it("records the OS user as actor unless the event names one", async () => {
    const dir = tempDir();
    const trail = new AuditTrail({ dir });
    const defaulted = await trail.append(event());
    const named = await trail.append(event({ actor: "client-id-123" }));
    expect(defaulted.actor).toEqual(expect.any(String));
    expect(defaulted.actor?.length).toBeGreaterThan(0);
    expect(named.actor).toBe("client-id-123");
  });

  it("rejects an event whose duration is not a finite number, writing nothing", async () => {
    const dir = tempDir();
    const trail = new AuditTrail({ dir });
    await expect(trail.append(event({ durationMs: Number.NaN }))).rejects.toThrow(/durationMs/);
    const ok = await trail.append(event());
    expect(ok.seq).toBe(1);
  });
});
