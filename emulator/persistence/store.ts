import type { HealthStatus } from "../contract";
import type { Brand, DeliveryAttempt, TokenRecord, Webhook } from "../model";

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

  /** Drops all data (admin reset), keeping the schema. */
  clear(): void;
  close(): void;
}
