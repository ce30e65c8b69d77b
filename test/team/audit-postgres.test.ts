import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditDatabaseError, PostgresAuditTrail, exportAuditTrail, initAuditSchema, verifyTrail } from "../../provider/audit";
import { type ThrowawayPostgres, startPostgres } from "../../scripts/postgres";
import { auditCli } from "./audit-cli";

const WRITER_PASSWORD = "writer-pw-8c1f2e";

async function sql(url: string, statement: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const event = (name: string) => ({
  action: "create" as const,
  resourceType: "WebMessagingChannel",
  resourceName: name,
  outcome: "success" as const,
  durationMs: 5,
});

describe("org audit trail in PostgreSQL", () => {
  let pg: ThrowawayPostgres;
  let adminUrl: string;
  let writerUrl: string;
  const trails: PostgresAuditTrail[] = [];

  beforeAll(async () => {
    pg = await startPostgres();
    adminUrl = await pg.createDatabase("audit");
    const init = await auditCli(["init", "--url", adminUrl]);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain("CREATE TABLE IF NOT EXISTS genesys_audit");
    expect(init.stdout).not.toContain(new URL(adminUrl).password);
    // The insert-only role from docs/team-mode.md.
    await sql(
      adminUrl,
      `CREATE ROLE genesys_audit_writer LOGIN PASSWORD '${WRITER_PASSWORD}';
       GRANT SELECT, INSERT ON genesys_audit TO genesys_audit_writer;`,
    );
    writerUrl = adminUrl.replace(/\/\/[^@]+@/, `//genesys_audit_writer:${WRITER_PASSWORD}@`);
  });
  afterAll(async () => {
    for (const t of trails) await t.close();
    await pg?.destroy();
  });

  it("keeps one chain when four runners append at once, and the CLI verifies it through --url", async () => {
    const writers = [0, 1, 2, 3].map(() => {
      const t = new PostgresAuditTrail({ url: writerUrl, secrets: [WRITER_PASSWORD] });
      trails.push(t);
      return t;
    });
    await Promise.all(
      writers.map(async (t, w) => {
        for (let i = 0; i < 25; i++) await t.append(event(`runner${w}-ch${i}`));
      }),
    );
    const verify = await auditCli(["verify", "--url", writerUrl]);
    expect(verify.stderr).toBe("");
    expect(verify.stdout).toMatch(/^OK: 100 records in 1 files, chain intact/);
    const summary = await auditCli(["summary", "--json", "--url", writerUrl]);
    expect(JSON.parse(summary.stdout)).toMatchObject({ totalAttempts: 100, successes: 100 });
  });

  it("exports JSON Lines that the file trail's verifier accepts", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-export-test-"));
    try {
      expect(await exportAuditTrail(writerUrl, dir)).toBe(100);
      const result = await verifyTrail(dir);
      expect(result).toMatchObject({ ok: true, records: 100 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("redacts the database password from what it stores", async () => {
    const t = new PostgresAuditTrail({ url: writerUrl, secrets: [WRITER_PASSWORD] });
    trails.push(t);
    const record = await t.append({ ...event("leaky"), outcome: "failure", error: `connect failed for ${writerUrl}` });
    expect(JSON.stringify(record)).not.toContain(WRITER_PASSWORD);
  });

  it("refuses UPDATE, DELETE and TRUNCATE, to the writer role and to the table's owner alike", async () => {
    for (const url of [writerUrl, adminUrl]) {
      await expect(sql(url, "UPDATE genesys_audit SET record = '{}' WHERE seq = 1")).rejects.toThrow(/permission denied|append-only/);
      await expect(sql(url, "DELETE FROM genesys_audit WHERE seq = 1")).rejects.toThrow(/permission denied|append-only/);
      await expect(sql(url, "TRUNCATE genesys_audit")).rejects.toThrow(/permission denied|append-only/);
    }
  });

  it("names the row a superuser edited after disabling the trigger", async () => {
    await sql(
      adminUrl,
      `ALTER TABLE genesys_audit DISABLE TRIGGER genesys_audit_no_update;
       UPDATE genesys_audit SET record = replace(record, '"runner2-ch7"', '"renamed"') WHERE record LIKE '%"runner2-ch7"%';
       ALTER TABLE genesys_audit ENABLE TRIGGER genesys_audit_no_update;`,
    );
    const verify = await auditCli(["verify", "--url", writerUrl]);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toMatch(/FAILED: 1 problem\(s\) in 101 records/);
    expect(verify.stderr).toMatch(/\(seq \d+\): hash does not match the record's content \(record was edited\)/);
    expect(verify.stderr + verify.stdout).not.toContain(WRITER_PASSWORD);
  });

  it("fails an append with an error naming genesys:auditUrl, not the password, when the database is down", async () => {
    const t = new PostgresAuditTrail({ url: writerUrl });
    trails.push(t);
    await pg.stop();
    try {
      const err = await t.append(event("while-down")).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuditDatabaseError);
      expect((err as Error).message).toMatch(/genesys:auditUrl\) is unreachable: connection refused/);
      expect((err as Error).message).not.toContain(WRITER_PASSWORD);
    } finally {
      await pg.start();
    }
    await expect(t.append(event("after-restart"))).resolves.toMatchObject({ resourceName: "after-restart" });
  });

  it("tells how to create the table when it is missing", async () => {
    const empty = await pg.createDatabase("audit_empty");
    const t = new PostgresAuditTrail({ url: empty });
    trails.push(t);
    await expect(t.append(event("x"))).rejects.toThrow(/has no genesys_audit table yet: run the set-up SQL in docs\/team-mode.md/);
    await initAuditSchema(empty);
    await expect(t.append(event("x"))).resolves.toMatchObject({ seq: 1 });
  });
});
