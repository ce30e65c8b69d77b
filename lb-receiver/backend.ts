/**
 * Where pool changes go: the real load balancer. The reference receiver's own backend only keeps
 * the pool it serves at GET /pool; a driver for a real load balancer (HAProxy's runtime API, an
 * upstream file and a reload, ...) implements the same three calls.
 */
import type { PoolMember } from "./ledger";

export interface PoolBackend {
  /** Called once at start with the persisted pool, so the load balancer matches it. */
  sync(members: PoolMember[]): Promise<void>;
  /** Adds the channel's endpoint to rotation, or updates it. Throwing refuses the delivery (it is retried). */
  upsert(member: PoolMember): Promise<void>;
  remove(brandId: string): Promise<void>;
  /** What the load balancer holds now, served at GET /balancer. */
  describe?(): Promise<unknown>;
  /** Stops background work (a restart watch) when the receiver closes. */
  stop?(): void;
}

/** The reference receiver's default: the pool it serves at GET /pool is all there is. */
export const NO_BACKEND: PoolBackend = {
  sync: async () => undefined,
  upsert: async () => undefined,
  remove: async () => undefined,
};
