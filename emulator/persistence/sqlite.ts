import Database from "better-sqlite3";
import type { HealthStatus } from "../contract";
import type { Brand, DeliveryAttempt, TokenRecord, Webhook } from "../model";
import { SqliteWebDeploymentStore } from "./sqlite-webdeployments";
import type { Page, Store, WebDeploymentStore, WriteResult } from "./store";
import { prepareStatements } from "./statements";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS brands (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  version INTEGER NOT NULL,
  doc TEXT NOT NULL,
  health_override TEXT
);
CREATE TABLE IF NOT EXISTS webhooks (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  doc TEXT NOT NULL,
  secret TEXT
);
CREATE TABLE IF NOT EXISTS tokens (
  hash TEXT PRIMARY KEY,
  client_id TEXT NOT NULL,
  scopes TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS token_issues (
  client_id TEXT PRIMARY KEY,
  issued INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  doc TEXT NOT NULL
);
`;

const DELIVERY_LOG_KEEP = 10_000;

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE";
}

interface TokenRow {
  hash: string;
  client_id: string;
  scopes: string;
  expires_at: number;
  revoked: number;
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  readonly webDeployments: WebDeploymentStore;
  private readonly stmt;

  constructor(
    file: string,
    private readonly now: () => number = Date.now,
  ) {
    this.db = new Database(file);
    if (file !== ":memory:") {
      // WAL keeps readers off the writer's lock; NORMAL sync still survives a killed process, since every
      // committed transaction is in the WAL file before the call returns.
      this.db.pragma("journal_mode = WAL");
      this.db.pragma("synchronous = NORMAL");
    }
    this.db.pragma("busy_timeout = 5000");
    this.db.exec(SCHEMA);
    // Same database, so that one file (and one kill -9) holds every surface's data.
    this.webDeployments = new SqliteWebDeploymentStore(this.db);
    const db = this.db;
    this.stmt = prepareStatements(db, {
      rows: {
        insertBrand: "INSERT INTO brands (id, name, version, doc) VALUES (?, ?, ?, ?)",
        updateBrand: "UPDATE brands SET name = ?, version = ?, doc = ? WHERE id = ? AND version = ?",
        updateBrandDoc: "UPDATE brands SET doc = ? WHERE id = ?",
        setOverride: "UPDATE brands SET health_override = ? WHERE id = ?",
        insertWebhook: "INSERT INTO webhooks (id, name, doc, secret) VALUES (?, ?, ?, ?)",
        getWebhook: "SELECT doc, secret FROM webhooks WHERE id = ?",
        allWebhooks: "SELECT doc, secret FROM webhooks ORDER BY name, id",
        updateWebhook: "UPDATE webhooks SET name = ?, doc = ?, secret = ? WHERE id = ?",
        deleteWebhook: "DELETE FROM webhooks WHERE id = ?",
        insertToken: "INSERT INTO tokens (hash, client_id, scopes, expires_at, revoked) VALUES (?, ?, ?, ?, 0)",
        bumpIssued: "INSERT INTO token_issues (client_id, issued) VALUES (?, 1) ON CONFLICT(client_id) DO UPDATE SET issued = issued + 1",
        purgeExpired: "DELETE FROM tokens WHERE expires_at < ?",
        findToken: "SELECT hash, client_id, scopes, expires_at, revoked FROM tokens WHERE hash = ?",
        revokeAll: "UPDATE tokens SET revoked = 1 WHERE revoked = 0",
        revokeClient: "UPDATE tokens SET revoked = 1 WHERE revoked = 0 AND client_id = ?",
        issueCounts: "SELECT client_id, issued FROM token_issues",
        appendDelivery: "INSERT INTO deliveries (doc) VALUES (?)",
        trimDeliveries: "DELETE FROM deliveries WHERE seq <= (SELECT MAX(seq) FROM deliveries) - ?",
      },
      values: {
        getBrand: "SELECT doc FROM brands WHERE id = ?",
        countBrands: "SELECT COUNT(*) FROM brands",
        countBrandsByName: "SELECT COUNT(*) FROM brands WHERE name = ?",
        pageBrands: "SELECT doc FROM brands ORDER BY name, id LIMIT ? OFFSET ?",
        pageBrandsByName: "SELECT doc FROM brands WHERE name = ? ORDER BY id LIMIT ? OFFSET ?",
        brandVersion: "SELECT version FROM brands WHERE id = ?",
        deleteBrand: "DELETE FROM brands WHERE id = ? RETURNING doc",
        getOverride: "SELECT health_override FROM brands WHERE id = ?",
        countWebhooks: "SELECT COUNT(*) FROM webhooks",
        countWebhooksByName: "SELECT COUNT(*) FROM webhooks WHERE name = ?",
        pageWebhooks: "SELECT doc FROM webhooks ORDER BY name, id LIMIT ? OFFSET ?",
        pageWebhooksByName: "SELECT doc FROM webhooks WHERE name = ? ORDER BY id LIMIT ? OFFSET ?",
        listDeliveries: "SELECT doc FROM (SELECT seq, doc FROM deliveries ORDER BY seq DESC LIMIT ?) ORDER BY seq",
      },
    });
  }

  insertBrand(brand: Brand): WriteResult {
    try {
      this.stmt.insertBrand.run(brand.id, brand.name, brand.version, JSON.stringify(brand));
      return "ok";
    } catch (err) {
      if (isUniqueViolation(err)) return "name-taken";
      throw err;
    }
  }

  getBrandJson(id: string): string | undefined {
    return this.stmt.getBrand.get(id) as string | undefined;
  }

  getBrand(id: string): Brand | undefined {
    const doc = this.getBrandJson(id);
    return doc === undefined ? undefined : (JSON.parse(doc) as Brand);
  }

  listBrands(query: { name?: string; offset: number; limit: number }): Page<Brand> {
    const docs = (
      query.name === undefined
        ? this.stmt.pageBrands.all(query.limit, query.offset)
        : this.stmt.pageBrandsByName.all(query.name, query.limit, query.offset)
    ) as string[];
    const total = (query.name === undefined ? this.stmt.countBrands.get() : this.stmt.countBrandsByName.get(query.name)) as number;
    return { items: docs.map((d) => JSON.parse(d) as Brand), total };
  }

  updateBrand(brand: Brand, expectedVersion: number): WriteResult {
    try {
      const info = this.stmt.updateBrand.run(brand.name, brand.version, JSON.stringify(brand), brand.id, expectedVersion);
      if (info.changes === 1) return "ok";
      return this.stmt.brandVersion.get(brand.id) === undefined ? "not-found" : "version-mismatch";
    } catch (err) {
      if (isUniqueViolation(err)) return "name-taken";
      throw err;
    }
  }

  recordBrandHealth(id: string, status: HealthStatus, checkedAt: string): Brand | undefined {
    const brand = this.getBrand(id);
    if (!brand) return undefined;
    brand.settings.healthStatus = status;
    brand.settings.lastHealthCheck = checkedAt;
    this.stmt.updateBrandDoc.run(JSON.stringify(brand), id);
    return brand;
  }

  deleteBrand(id: string): Brand | undefined {
    const doc = this.stmt.deleteBrand.get(id) as string | undefined;
    return doc === undefined ? undefined : (JSON.parse(doc) as Brand);
  }

  getHealthOverride(id: string): HealthStatus | undefined {
    return (this.stmt.getOverride.get(id) as HealthStatus | null | undefined) ?? undefined;
  }

  setHealthOverride(id: string, status: HealthStatus | null): WriteResult {
    return this.stmt.setOverride.run(status, id).changes === 1 ? "ok" : "not-found";
  }

  insertWebhook(webhook: Webhook, secret: string | null): WriteResult {
    try {
      this.stmt.insertWebhook.run(webhook.id, webhook.name, JSON.stringify(webhook), secret);
      return "ok";
    } catch (err) {
      if (isUniqueViolation(err)) return "name-taken";
      throw err;
    }
  }

  getWebhook(id: string): { webhook: Webhook; secret: string | null } | undefined {
    const row = this.stmt.getWebhook.get(id) as { doc: string; secret: string | null } | undefined;
    return row && { webhook: JSON.parse(row.doc) as Webhook, secret: row.secret };
  }

  allWebhooks(): { webhook: Webhook; secret: string | null }[] {
    const rows = this.stmt.allWebhooks.all() as { doc: string; secret: string | null }[];
    return rows.map((r) => ({ webhook: JSON.parse(r.doc) as Webhook, secret: r.secret }));
  }

  listWebhooks(query: { name?: string; offset: number; limit: number }): Page<Webhook> {
    const docs = (
      query.name === undefined
        ? this.stmt.pageWebhooks.all(query.limit, query.offset)
        : this.stmt.pageWebhooksByName.all(query.name, query.limit, query.offset)
    ) as string[];
    const total = (query.name === undefined ? this.stmt.countWebhooks.get() : this.stmt.countWebhooksByName.get(query.name)) as number;
    return { items: docs.map((d) => JSON.parse(d) as Webhook), total };
  }

  updateWebhook(webhook: Webhook, secret: string | null): WriteResult {
    try {
      const info = this.stmt.updateWebhook.run(webhook.name, JSON.stringify(webhook), secret, webhook.id);
      return info.changes === 1 ? "ok" : "not-found";
    } catch (err) {
      if (isUniqueViolation(err)) return "name-taken";
      throw err;
    }
  }

  deleteWebhook(id: string): boolean {
    return this.stmt.deleteWebhook.run(id).changes === 1;
  }

  insertToken(token: TokenRecord): void {
    this.db.transaction(() => {
      this.stmt.purgeExpired.run(this.now());
      this.stmt.insertToken.run(token.hash, token.clientId, JSON.stringify(token.scopes), token.expiresAt);
      this.stmt.bumpIssued.run(token.clientId);
    })();
  }

  findToken(hash: string): TokenRecord | undefined {
    const row = this.stmt.findToken.get(hash) as TokenRow | undefined;
    if (!row) return undefined;
    return {
      hash: row.hash,
      clientId: row.client_id,
      scopes: JSON.parse(row.scopes) as string[],
      expiresAt: row.expires_at,
      revoked: row.revoked === 1,
    };
  }

  revokeTokens(clientId?: string): number {
    const info = clientId === undefined ? this.stmt.revokeAll.run() : this.stmt.revokeClient.run(clientId);
    return info.changes;
  }

  tokenIssueCounts(): Record<string, number> {
    const rows = this.stmt.issueCounts.all() as { client_id: string; issued: number }[];
    return Object.fromEntries(rows.map((r) => [r.client_id, r.issued]));
  }

  appendDelivery(attempt: DeliveryAttempt): void {
    const { lastInsertRowid } = this.stmt.appendDelivery.run(JSON.stringify(attempt));
    // The log is a debugging aid, not an archive: keep a long-running file from growing without bound.
    if (Number(lastInsertRowid) % 1000 === 0) this.stmt.trimDeliveries.run(DELIVERY_LOG_KEEP);
  }

  listDeliveries(limit: number): DeliveryAttempt[] {
    return (this.stmt.listDeliveries.all(limit) as string[]).map((d) => JSON.parse(d) as DeliveryAttempt);
  }

  clear(): void {
    this.db.exec("DELETE FROM brands; DELETE FROM webhooks; DELETE FROM tokens; DELETE FROM token_issues; DELETE FROM deliveries;");
    this.webDeployments.clear();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
