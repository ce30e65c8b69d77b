/**
 * Team mode's audit trail: one hash chain for the whole org in PostgreSQL (genesys:auditUrl), the
 * same records as the file trail (same redaction, same canonical-JSON hash), so an export to JSON
 * Lines verifies with the file trail's verifier.
 *
 * Writers are serialised by the database: each insert's transaction takes an advisory lock, reads
 * the head and appends after it. The table refuses UPDATE, DELETE and TRUNCATE through triggers and
 * writers get an insert-only role (docs/team-mode.md). A superuser can still disable triggers: the
 * verifier catches an edited row by its hash, and an exported head kept elsewhere catches a rewrite.
 */
import { promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Pool, PoolClient } from "pg";
import { redactUrl } from "../genesys/coordination";
import { dayFileName } from "./files";
import { GENESIS_HASH, recordHash } from "./hash";
import { AuditTrail } from "./trail";
import type { AuditEvent, AuditRecord } from "./types";

const AUDIT_TABLE = "genesys_audit";

/** Any fixed number: the lock only has to be the same for every writer of the org's trail. */
const ADVISORY_LOCK_KEY = 7_466_173_451;

/** The schema, also printed in docs/team-mode.md and applied by `npm run audit -- init --url`. */
export const AUDIT_SCHEMA_SQL = `CREATE TABLE IF NOT EXISTS ${AUDIT_TABLE} (
  seq        bigint      PRIMARY KEY,
  hash       text        NOT NULL UNIQUE,
  prev_hash  text        NOT NULL,
  record     text        NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);
CREATE OR REPLACE FUNCTION ${AUDIT_TABLE}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER IF EXISTS ${AUDIT_TABLE}_no_update ON ${AUDIT_TABLE};
CREATE TRIGGER ${AUDIT_TABLE}_no_update BEFORE UPDATE OR DELETE ON ${AUDIT_TABLE} FOR EACH ROW EXECUTE FUNCTION ${AUDIT_TABLE}_refuse();
DROP TRIGGER IF EXISTS ${AUDIT_TABLE}_no_truncate ON ${AUDIT_TABLE};
CREATE TRIGGER ${AUDIT_TABLE}_no_truncate BEFORE TRUNCATE ON ${AUDIT_TABLE} FOR EACH STATEMENT EXECUTE FUNCTION ${AUDIT_TABLE}_refuse();`;

type Prepared = Omit<AuditRecord, "seq" | "timestamp" | "prevHash" | "hash">;

export class AuditDatabaseError extends Error {
  readonly name = "AuditDatabaseError";
}

/** The URL without its password, for messages: the one redaction team mode's URLs get. */
const where = redactUrl;

function newPool(url: string, PoolClass: typeof Pool): Pool {
  const pool = new PoolClass({
    connectionString: url,
    max: 2,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 5_000,
    allowExitOnIdle: true,
  });
  // An idle client's error (the server restarting) would otherwise crash the process.
  pool.on("error", () => undefined);
  return pool;
}

export interface PostgresAuditOptions {
  url: string;
  secrets?: string[];
  now?: () => Date;
}

/**
 * Same append() as the file trail. Records are prepared (validated, redacted, payload hashed) by the
 * file trail's own code; only where they are chained and stored differs.
 */
export class PostgresAuditTrail extends AuditTrail {
  private readonly url: string;
  private readonly clock: () => Date;
  private pool?: Pool;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(opts: PostgresAuditOptions) {
    // The file trail's directory is never used: append() below writes to PostgreSQL only.
    super({ dir: os.tmpdir(), secrets: opts.secrets, ...(opts.now ? { now: opts.now } : {}) });
    this.url = opts.url;
    this.clock = opts.now ?? (() => new Date());
  }

  override append(event: AuditEvent): Promise<AuditRecord> {
    let prepared: Prepared;
    try {
      prepared = this.prepare(event);
    } catch (err) {
      return Promise.reject(err);
    }
    const result = this.chain.then(() => this.insert(prepared));
    this.chain = result.catch(() => undefined);
    return result;
  }

  private async insert(prepared: Prepared): Promise<AuditRecord> {
    let client: PoolClient;
    try {
      if (!this.pool) {
        const { Pool } = await import("pg");
        this.pool = newPool(this.url, Pool);
      }
      client = await this.pool.connect();
    } catch (err) {
      throw this.failure("is unreachable", err);
    }
    // A checked-out client has no pool listener: the server ending the connection between two of
    // these queries (a restart) would otherwise be an uncaught 'error' that kills the provider
    // process. The query in flight, or the next one, fails and says why.
    const ignore = () => undefined;
    client.on("error", ignore);
    let broken = false;
    try {
      await client.query("BEGIN");
      // Serialises every writer of the org's trail until COMMIT: read head, append after it.
      await client.query("SELECT pg_advisory_xact_lock($1)", [ADVISORY_LOCK_KEY]);
      const head = await client.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ${AUDIT_TABLE} ORDER BY seq DESC LIMIT 1`);
      const last = head.rows[0];
      const record: AuditRecord = {
        seq: last ? Number(last.seq) + 1 : 1,
        timestamp: this.clock().toISOString(),
        ...prepared,
        prevHash: last ? last.hash : GENESIS_HASH,
        hash: "",
      };
      record.hash = recordHash(record as unknown as Record<string, unknown>);
      await client.query(`INSERT INTO ${AUDIT_TABLE} (seq, hash, prev_hash, record) VALUES ($1, $2, $3, $4)`, [
        record.seq,
        record.hash,
        record.prevHash,
        JSON.stringify(record),
      ]);
      await client.query("COMMIT");
      return record;
    } catch (err) {
      broken = true;
      await client.query("ROLLBACK").catch(() => undefined);
      const code = (err as { code?: string }).code;
      if (code === "42P01") {
        throw this.failure(
          `has no ${AUDIT_TABLE} table yet: run the set-up SQL in docs/team-mode.md (or npm run audit -- init --url URL)`,
          err,
        );
      }
      throw this.failure("refused the audit record", err);
    } finally {
      client.removeListener("error", ignore);
      // A client whose transaction failed may have lost its connection: never hand it out again.
      client.release(broken);
    }
  }

  private failure(what: string, err: unknown): AuditDatabaseError {
    const e = err as { message?: string; code?: string };
    const reason = e?.code === "ECONNREFUSED" ? "connection refused" : (e?.message ?? String(err));
    return new AuditDatabaseError(`the audit database ${where(this.url)} (genesys:auditUrl) ${what}: ${reason}`, { cause: err });
  }

  async close(): Promise<void> {
    await this.pool?.end().catch(() => undefined);
    this.pool = undefined;
  }
}

/** Applies the schema (tables, append-only triggers); needs a role that may create them. */
export async function initAuditSchema(url: string): Promise<void> {
  const { Client } = await import("pg");
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(AUDIT_SCHEMA_SQL);
  } finally {
    await client.end();
  }
}

/**
 * Writes the trail as day files of JSON Lines into `dir`, in seq order, so `verifyTrail(dir)` and
 * every other file-trail tool apply unchanged. A record whose day is earlier than its predecessor's
 * (runners' clocks differ) stays in the later day's file, as the file writer does, so file order is
 * chain order. Returns the number of records.
 */
export async function exportAuditTrail(url: string, dir: string): Promise<number> {
  const { Client } = await import("pg");
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new AuditDatabaseError(`the audit database ${where(url)} is unreachable: ${(err as Error).message}`, { cause: err });
  }
  try {
    await fsp.mkdir(dir, { recursive: true });
    const rows = await client.query<{ record: string }>(`SELECT record FROM ${AUDIT_TABLE} ORDER BY seq`);
    let file = "";
    const lines = new Map<string, string[]>();
    for (const { record } of rows.rows) {
      let day: string;
      try {
        day = dayFileName(new Date((JSON.parse(record) as { timestamp: string }).timestamp));
      } catch {
        day = file || dayFileName(new Date(0));
      }
      if (day > file) file = day;
      const list = lines.get(file) ?? [];
      list.push(record);
      lines.set(file, list);
    }
    for (const [name, list] of lines) await fsp.writeFile(path.join(dir, name), `${list.join("\n")}\n`, "utf8");
    return rows.rows.length;
  } finally {
    await client.end();
  }
}

export { where as redactedAuditUrl };
