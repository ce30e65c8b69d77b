import type Database from "better-sqlite3";
import type { BrokenKind } from "../webdeployments/contract";
import type {
  BrokenMark,
  ConfigurationContent,
  ConfigurationRecord,
  CursorPage,
  CursorQuery,
  DeploymentRecord,
  PublishedVersion,
} from "../webdeployments/model";
import type { WebDeploymentStore } from "./store";
import { prepareStatements } from "./statements";

/**
 * Web deployments persisted beside the emulator's other tables, in the same SQLite database, so that
 * they survive restarts (and kill -9) like brands and webhooks do. The insertion sequence (`seq`) is the
 * order every cursor-paged listing walks.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS wd_configurations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  doc TEXT NOT NULL,
  gone_at INTEGER
);
CREATE TABLE IF NOT EXISTS wd_configuration_versions (
  configuration_id TEXT NOT NULL,
  number INTEGER NOT NULL,
  doc TEXT NOT NULL,
  PRIMARY KEY (configuration_id, number)
);
CREATE TABLE IF NOT EXISTS wd_deployments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  configuration_id TEXT NOT NULL,
  doc TEXT NOT NULL,
  gone_at INTEGER
);
CREATE INDEX IF NOT EXISTS wd_deployments_by_configuration ON wd_deployments (configuration_id);
CREATE TABLE IF NOT EXISTS wd_broken (
  kind TEXT NOT NULL,
  target_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (kind, target_id)
);
`;

type ConfigurationDoc = Omit<ConfigurationRecord, "seq" | "goneAt">;
type DeploymentDoc = Omit<DeploymentRecord, "seq" | "goneAt">;
interface Row {
  seq: number;
  doc: string;
  gone_at: number | null;
}

function toConfiguration(row: Row): ConfigurationRecord {
  const doc = JSON.parse(row.doc) as ConfigurationDoc;
  return { seq: row.seq, ...doc, ...(row.gone_at !== null ? { goneAt: row.gone_at } : {}) };
}

function toDeployment(row: Row): DeploymentRecord {
  const doc = JSON.parse(row.doc) as DeploymentDoc;
  return { seq: row.seq, ...doc, ...(row.gone_at !== null ? { goneAt: row.gone_at } : {}) };
}

function configurationDoc(r: ConfigurationRecord | Omit<ConfigurationRecord, "seq">): string {
  const { id, draft, dateCreated, draftModified, draftReadyAt } = r;
  return JSON.stringify({ id, draft, dateCreated, draftModified, draftReadyAt } satisfies ConfigurationDoc);
}

function deploymentDoc(r: DeploymentRecord | Omit<DeploymentRecord, "seq">): string {
  const { id, content, snippet, dateCreated, dateModified, activeAt } = r;
  return JSON.stringify({ id, content, snippet, dateCreated, dateModified, activeAt } satisfies DeploymentDoc);
}

export class SqliteWebDeploymentStore implements WebDeploymentStore {
  private readonly stmt;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.stmt = prepareStatements(db, {
      rows: {
        dropVersions: "DELETE FROM wd_configuration_versions WHERE configuration_id = ?",
        dropConfiguration: "DELETE FROM wd_configurations WHERE id = ?",
        dropGoneDeployments: "DELETE FROM wd_deployments WHERE gone_at IS NOT NULL AND gone_at <= ?",
        insertConfiguration: "INSERT INTO wd_configurations (id, doc) VALUES (?, ?)",
        getConfiguration: "SELECT seq, doc, gone_at FROM wd_configurations WHERE id = ?",
        updateConfiguration: "UPDATE wd_configurations SET doc = ? WHERE id = ?",
        markConfigurationGone: "UPDATE wd_configurations SET gone_at = ? WHERE id = ? AND gone_at IS NULL",
        insertVersion: "INSERT INTO wd_configuration_versions (configuration_id, number, doc) VALUES (?, ?, ?)",
        insertDeployment: "INSERT INTO wd_deployments (id, configuration_id, doc) VALUES (?, ?, ?)",
        getDeployment: "SELECT seq, doc, gone_at FROM wd_deployments WHERE id = ?",
        updateDeployment: "UPDATE wd_deployments SET configuration_id = ?, doc = ? WHERE id = ?",
        markDeploymentGone: "UPDATE wd_deployments SET gone_at = ? WHERE id = ? AND gone_at IS NULL",
        setBroken:
          "INSERT INTO wd_broken (kind, target_id, reason) VALUES (?, ?, ?) ON CONFLICT(kind, target_id) DO UPDATE SET reason = excluded.reason",
        clearBroken: "DELETE FROM wd_broken WHERE kind = ? AND target_id = ?",
        listBroken: "SELECT kind, target_id, reason FROM wd_broken ORDER BY kind, target_id",
      },
      values: {
        goneConfigurations: "SELECT id FROM wd_configurations WHERE gone_at IS NOT NULL AND gone_at <= ?",
        maxVersion: "SELECT MAX(number) FROM wd_configuration_versions WHERE configuration_id = ?",
        countVersions: "SELECT COUNT(*) FROM wd_configuration_versions WHERE configuration_id = ?",
        getVersion: "SELECT doc FROM wd_configuration_versions WHERE configuration_id = ? AND number = ?",
        recentVersions: "SELECT doc FROM wd_configuration_versions WHERE configuration_id = ? ORDER BY number DESC LIMIT ?",
        deploymentsUsing: "SELECT id FROM wd_deployments WHERE configuration_id = ? ORDER BY seq",
        getBroken: "SELECT reason FROM wd_broken WHERE kind = ? AND target_id = ?",
      },
    });
  }

  /** Finishes the asynchronous deletes whose time has come; called before every request is answered. */
  purge(now: number): void {
    this.db.transaction(() => {
      for (const id of this.stmt.goneConfigurations.all(now) as string[]) {
        this.stmt.dropVersions.run(id);
        this.stmt.dropConfiguration.run(id);
      }
      this.stmt.dropGoneDeployments.run(now);
    })();
  }

  insertConfiguration(record: Omit<ConfigurationRecord, "seq">): ConfigurationRecord {
    const { lastInsertRowid } = this.stmt.insertConfiguration.run(record.id, configurationDoc(record));
    return { ...record, seq: Number(lastInsertRowid) };
  }

  getConfiguration(id: string): ConfigurationRecord | undefined {
    const row = this.stmt.getConfiguration.get(id) as Row | undefined;
    return row && toConfiguration(row);
  }

  updateConfiguration(record: ConfigurationRecord): void {
    this.stmt.updateConfiguration.run(configurationDoc(record), record.id);
  }

  markConfigurationGone(id: string, goneAt: number): void {
    this.stmt.markConfigurationGone.run(goneAt, id);
  }

  listConfigurations(query: CursorQuery & { onlyPublished: boolean }): CursorPage<ConfigurationRecord> {
    const filter = query.onlyPublished
      ? "EXISTS (SELECT 1 FROM wd_configuration_versions v WHERE v.configuration_id = wd_configurations.id)"
      : "1";
    return this.page("wd_configurations", filter, query, toConfiguration);
  }

  /** The draft's content becomes version N+1, atomically, so that two publishes never share a number. */
  publish(id: string, content: ConfigurationContent, draftCreated: string, draftModified: string, now: string): PublishedVersion {
    return this.db.transaction(() => {
      const max = (this.stmt.maxVersion.get(id) as number | null) ?? 0;
      const version: PublishedVersion = {
        number: max + 1,
        content,
        dateCreated: draftCreated,
        dateModified: draftModified,
        datePublished: now,
      };
      this.stmt.insertVersion.run(id, version.number, JSON.stringify(version));
      return version;
    })();
  }

  getVersion(id: string, number: number): PublishedVersion | undefined {
    const doc = this.stmt.getVersion.get(id, number) as string | undefined;
    return doc === undefined ? undefined : (JSON.parse(doc) as PublishedVersion);
  }

  /** Newest first. */
  recentVersions(id: string, limit: number): PublishedVersion[] {
    return (this.stmt.recentVersions.all(id, limit) as string[]).map((d) => JSON.parse(d) as PublishedVersion);
  }

  countVersions(id: string): number {
    return this.stmt.countVersions.get(id) as number;
  }

  latestVersion(id: string): number | undefined {
    return (this.stmt.maxVersion.get(id) as number | null) ?? undefined;
  }

  insertDeployment(record: Omit<DeploymentRecord, "seq">): DeploymentRecord {
    const { lastInsertRowid } = this.stmt.insertDeployment.run(record.id, record.content.configuration.id, deploymentDoc(record));
    return { ...record, seq: Number(lastInsertRowid) };
  }

  getDeployment(id: string): DeploymentRecord | undefined {
    const row = this.stmt.getDeployment.get(id) as Row | undefined;
    return row && toDeployment(row);
  }

  updateDeployment(record: DeploymentRecord): void {
    this.stmt.updateDeployment.run(record.content.configuration.id, deploymentDoc(record), record.id);
  }

  markDeploymentGone(id: string, goneAt: number): void {
    this.stmt.markDeploymentGone.run(goneAt, id);
  }

  /** Deployments (deleting ones included, until they are gone) that point at a configuration. */
  deploymentsUsing(configurationId: string): string[] {
    return this.stmt.deploymentsUsing.all(configurationId) as string[];
  }

  listDeployments(query: CursorQuery): CursorPage<DeploymentRecord> {
    return this.page("wd_deployments", "1", query, toDeployment);
  }

  setBroken(mark: BrokenMark): void {
    this.stmt.setBroken.run(mark.kind, mark.id, mark.reason);
  }

  clearBroken(kind: BrokenKind, id: string): boolean {
    return this.stmt.clearBroken.run(kind, id).changes === 1;
  }

  brokenReason(kind: BrokenKind, id: string): string | undefined {
    return this.stmt.getBroken.get(kind, id) as string | undefined;
  }

  listBroken(): BrokenMark[] {
    const rows = this.stmt.listBroken.all() as { kind: BrokenKind; target_id: string; reason: string }[];
    return rows.map((r) => ({ kind: r.kind, id: r.target_id, reason: r.reason }));
  }

  clear(): void {
    this.db.exec(
      "DELETE FROM wd_configurations; DELETE FROM wd_configuration_versions; DELETE FROM wd_deployments; DELETE FROM wd_broken;",
    );
  }

  /** One page in seq order: forward from `after`, or the page that ends just before `before`. */
  private page<T>(table: string, filter: string, query: CursorQuery, map: (row: Row) => T): CursorPage<T> {
    const total = this.db.prepare(`SELECT COUNT(*) FROM ${table} WHERE ${filter}`).pluck().get() as number;
    let rows: Row[];
    if (query.before !== undefined) {
      rows = (
        this.db
          .prepare(`SELECT seq, doc, gone_at FROM ${table} WHERE ${filter} AND seq < ? ORDER BY seq DESC LIMIT ?`)
          .all(query.before, query.limit) as Row[]
      ).reverse();
    } else {
      rows = this.db
        .prepare(`SELECT seq, doc, gone_at FROM ${table} WHERE ${filter} AND seq > ? ORDER BY seq LIMIT ?`)
        .all(query.after ?? 0, query.limit) as Row[];
    }
    const exists = (cmp: string, seq: number): boolean =>
      this.db.prepare(`SELECT 1 FROM ${table} WHERE ${filter} AND seq ${cmp} ? LIMIT 1`).get(seq) !== undefined;
    const first = rows[0];
    const last = rows[rows.length - 1];
    return {
      items: rows.map(map),
      total,
      hasMoreAfter: last !== undefined && exists(">", last.seq),
      hasMoreBefore: first !== undefined && exists("<", first.seq),
    };
  }
}
