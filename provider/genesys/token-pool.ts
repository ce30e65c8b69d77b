/**
 * A pool of access tokens of the same client (genesys:tokenPoolSize). Genesys counts its rate limit
 * per token, so N tokens raise the ceiling N-fold, the way Genesys's Terraform provider does with
 * `token_pool_size`. Each slot owns one token and one pacing gate kept at the per-token rate;
 * a call takes the slot with the fewest calls in progress, the next in turn among equals, so calls
 * spread over the whole pool even when the engine sends them a few at a time (an engine-paced `up`
 * rarely has more calls in flight than tokens). A slot fetches its token on first use, once however
 * many calls wait for it (single flight), and renews it ahead of expiry.
 */
import type { PacingGate } from "./pacing";

export interface FetchedToken {
  value: string;
  /** Lifetime the server granted, in ms. */
  lifetimeMs: number;
}

export interface TokenSlot {
  readonly index: number;
  readonly gate: PacingGate;
  /** The slot's token, fetched through `fetch` when absent or due for renewal. */
  token(): Promise<string>;
  /** The server refused this token (401): the next caller fetches a new one. */
  invalidate(value: string): void;
}

export interface TokenPoolOptions {
  size: number;
  /**
   * Fetches one token for `slot`. The slot's gate paces its API calls only: token requests go to
   * the login host, limited apart, and must not spend the API host's rate (transport.ts).
   */
  fetch: (slot: TokenSlot) => Promise<FetchedToken>;
  /** The gate of slot `index` (slot 0 is the process-wide gate of the API host). */
  gateFor: (index: number) => PacingGate;
  now?: () => number;
}

export const MAX_TOKEN_POOL_SIZE = 50;

/** Renew at 80% of the lifetime (at least 30 s early when the lifetime allows), never later than half. */
export function renewalDelayMs(lifetimeMs: number): number {
  const early = Math.min(Math.max(30_000, lifetimeMs * 0.2), lifetimeMs / 2);
  return lifetimeMs - early;
}

class Slot implements TokenSlot {
  busy = 0;
  private cached?: { value: string; refreshAt: number };
  private inFlight?: Promise<string>;

  constructor(
    readonly index: number,
    readonly gate: PacingGate,
    private readonly pool: { fetch: (slot: TokenSlot) => Promise<FetchedToken>; now: () => number },
  ) {}

  token(): Promise<string> {
    if (this.cached && this.pool.now() < this.cached.refreshAt) return Promise.resolve(this.cached.value);
    if (!this.inFlight) {
      this.inFlight = this.pool
        .fetch(this)
        .then((t) => {
          this.cached = { value: t.value, refreshAt: this.pool.now() + renewalDelayMs(t.lifetimeMs) };
          return t.value;
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.inFlight;
  }

  invalidate(value: string): void {
    if (this.cached?.value === value) this.cached = undefined;
  }
}

export class TokenPool {
  private readonly slots: Slot[];
  private next = 0;

  constructor(opts: TokenPoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1 || opts.size > MAX_TOKEN_POOL_SIZE) {
      throw new RangeError(`token pool size must be a whole number from 1 to ${MAX_TOKEN_POOL_SIZE} (got ${opts.size})`);
    }
    const shared = { fetch: opts.fetch, now: opts.now ?? Date.now };
    this.slots = Array.from({ length: opts.size }, (_, i) => new Slot(i, opts.gateFor(i), shared));
  }

  get size(): number {
    return this.slots.length;
  }

  /** The first slot: where a caller that needs "the" token (one client, one token) gets it. */
  get primary(): TokenSlot {
    return this.slots[0]!;
  }

  /** Runs `call` on the least busy slot (round robin among equals) and counts it busy meanwhile. */
  async run<T>(call: (slot: TokenSlot) => Promise<T>): Promise<T> {
    const slot = this.pick();
    slot.busy++;
    try {
      return await call(slot);
    } finally {
      slot.busy--;
    }
  }

  private pick(): Slot {
    let best: Slot | undefined;
    for (let k = 0; k < this.slots.length; k++) {
      const slot = this.slots[(this.next + k) % this.slots.length]!;
      if (!best || slot.busy < best.busy) best = slot;
    }
    this.next = (best!.index + 1) % this.slots.length;
    return best!;
  }
}
