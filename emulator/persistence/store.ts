import type { HealthStatus } from "../contract";
import type { Brand, DeliveryAttempt, TokenRecord, Webhook } from "../model";
import type { BrokenKind } from "../webdeployments/contract";
import type * as wd from "../webdeployments/model";

export type WriteResult = "ok" | "name-taken" | "not-found" | "version-mismatch";

export interface Page<T> {
  items: T[];
  total: number;
}

/**
 * Everything the handlers persist, behind one interface so that a different backend (or a fake in a unit
 * test) can replace SQLite without touching the HTTP layer. Calls are synchronous: with better-sqlite3 a
 * read-check-write sequence inside one call cannot interleave with another request.
 */
export interface Store {
  insertBrand(brand: Brand): WriteResult;
  getBrand(id: string): Brand | undefined;
  /** The stored JSON, so that a plain GET can answer without a parse/serialise round trip. */
  getBrandJson(id: string): string | undefined;
  listBrands(query: { name?: string; offset: number; limit: number }): Page<Brand>;
  /** Writes `brand` only if the stored version still equals `expectedVersion`. */
  updateBrand(brand: Brand, expectedVersion: number): WriteResult;
  /** Health is server-owned: recording a probe changes neither version nor dateModified. */
  recordBrandHealth(id: string, status: HealthStatus, checkedAt: string): Brand | undefined;
  deleteBrand(id: string): Brand | undefined;
  getHealthOverride(id: string): HealthStatus | undefined;
  setHealthOverride(id: string, status: HealthStatus | null): WriteResult;

  insertWebhook(webhook: Webhook, secret: string | null): WriteResult;
  getWebhook(id: string): { webhook: Webhook; secret: string | null } | undefined;
  listWebhooks(query: { name?: string; offset: number; limit: number }): Page<Webhook>;
  updateWebhook(webhook: Webhook, secret: string | null): WriteResult;
  deleteWebhook(id: string): boolean;
  allWebhooks(): { webhook: Webhook; secret: string | null }[];

  insertToken(token: TokenRecord): void;
  findToken(hash: string): TokenRecord | undefined;
  revokeTokens(clientId?: string): number;
  tokenIssueCounts(): Record<string, number>;

  appendDelivery(attempt: DeliveryAttempt): void;
  listDeliveries(limit: number): DeliveryAttempt[];

  /** The web deployments tables, in the same database (one file holds everything). */
  readonly webDeployments: WebDeploymentStore;

  /** Drops all data of every surface (admin reset), keeping the schema. */
  clear(): void;
  close(): void;
}

/**
 * The web deployments surface's persistence: configurations with their published versions, deployments,
 * and the admin API's broken marks. Listings walk insertion order (a cursor is a position in it).
 */
export interface WebDeploymentStore {
  /** Finishes the asynchronous deletes whose time (`now`, ms) has come. */
  purge(now: number): void;
  insertConfiguration(record: Omit<wd.ConfigurationRecord, "seq">): wd.ConfigurationRecord;
  getConfiguration(id: string): wd.ConfigurationRecord | undefined;
  updateConfiguration(record: wd.ConfigurationRecord): void;
  markConfigurationGone(id: string, goneAt: number): void;
  listConfigurations(query: wd.CursorQuery & { onlyPublished: boolean }): wd.CursorPage<wd.ConfigurationRecord>;
  /** The draft's content becomes version N+1, atomically, so that two publishes never share a number. */
  publish(id: string, content: wd.ConfigurationContent, draftCreated: string, draftModified: string, now: string): wd.PublishedVersion;
  getVersion(id: string, number: number): wd.PublishedVersion | undefined;
  /** Newest first. */
  recentVersions(id: string, limit: number): wd.PublishedVersion[];
  countVersions(id: string): number;
  latestVersion(id: string): number | undefined;
  insertDeployment(record: Omit<wd.DeploymentRecord, "seq">): wd.DeploymentRecord;
  getDeployment(id: string): wd.DeploymentRecord | undefined;
  updateDeployment(record: wd.DeploymentRecord): void;
  markDeploymentGone(id: string, goneAt: number): void;
  /** Deployments (deleting ones included, until they are gone) that point at a configuration. */
  deploymentsUsing(configurationId: string): string[];
  listDeployments(query: wd.CursorQuery): wd.CursorPage<wd.DeploymentRecord>;
  setBroken(mark: wd.BrokenMark): void;
  clearBroken(kind: BrokenKind, id: string): boolean;
  brokenReason(kind: BrokenKind, id: string): string | undefined;
  listBroken(): wd.BrokenMark[];
  clear(): void;
}
