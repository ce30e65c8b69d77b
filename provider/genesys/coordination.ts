/**
 * Team mode's shared rate budget: every provider process, on any runner, draws from one budget per
 * (API host, OAuth client) kept in PostgreSQL (genesys:coordinationUrl), plus an optional org-wide
 * budget per API host shared by every client (genesys:orgMaxRequestsPerSecond). The algorithm is
 * rate-limiter-flexible's RateLimiterPostgres (one atomic upsert per call, fixed windows), not ours.
 *
 * It fails closed: when the database cannot be reached the call fails with an error naming
 * genesys:coordinationUrl. Falling back to per-process pacing would let N runners overrun the org N
 * times over, which is what team mode exists to prevent.
 */
import type { Pool } from "pg";
import type { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";

export interface SharedBudgetOptions {
  /** postgres://user:password@host:port/db */
  url: string;
  apiHost: string;
  clientId: string;
  /** Per (API host, OAuth client). */
  perClientPerSecond?: number;
  /** Per API host, every client together. */
  orgPerSecond?: number;
  /** The server's window: rates are kept as rate x window calls per window (Genesys: 60 s). Default 1. */
  windowSeconds?: number;
  /** How long a call keeps trying to reach the database (a restart) before failing closed. */
  unreachableBudgetMs?: number;
  tableName?: string;
}

export class CoordinationError extends Error {
  readonly name = "CoordinationError";
  readonly code = "COORDINATION_UNAVAILABLE";
}

/**
 * Slack added to each window, as in the in-process gate (pacing.ts) but wider: the server counts
 * arrivals, the budget counts grants made a database round trip earlier, and runners' latencies
 * vary more than one process's, so a window a little longer than the server's keeps a late grant
 * out of the server's next window. 100 ms, or 5% of longer windows (whose bursts are larger).
 */
function windowGuardMs(windowSeconds: number): number {
  return Math.max(100, windowSeconds * 50);
}

/** The URL with its password replaced, for messages: the password never leaves this module. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    u.search = "";
    return u.toString();
  } catch {
    return "<unparseable URL>";
  }
}

interface Window {
  points: number;
  durationSeconds: number;
}

/** A rate as a fixed window: whole calls per window, a rate too low for one call per window becomes a longer window. */
export function windowFor(perSecond: number, windowSeconds = 1): Window {
  const points = Math.max(1, Math.floor(perSecond * windowSeconds));
  const seconds = points / perSecond;
  return { points, durationSeconds: seconds + windowGuardMs(seconds) / 1000 };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isRefusal(value: unknown): value is RateLimiterRes {
  return typeof value === "object" && value !== null && !(value instanceof Error) && "msBeforeNext" in value;
}

export class SharedBudget {
  private pool?: Pool;
  private limiters?: Promise<{ key: string; limiter: RateLimiterPostgres }[]>;
  private readonly where: string;
  private closed = false;

  constructor(private readonly opts: SharedBudgetOptions) {
    if (opts.perClientPerSecond === undefined && opts.orgPerSecond === undefined) {
      throw new CoordinationError(
        "genesys:coordinationUrl is set but no rate to share: set genesys:maxRequestsPerSecond (per OAuth client) and/or genesys:orgMaxRequestsPerSecond",
      );
    }
    this.where = redactUrl(opts.url);
  }

  /** Resolves when the shared budget allows one more call; rejects (fails closed) when the database is out of reach. */
  async take(): Promise<void> {
    const deadline = Date.now() + (this.opts.unreachableBudgetMs ?? 10_000);
    for (let attempt = 0; ; attempt++) {
      let limiters: { key: string; limiter: RateLimiterPostgres }[];
      try {
        limiters = await this.ready();
        for (const { key, limiter } of limiters) await this.consume(limiter, key);
        return;
      } catch (err) {
        this.limiters = undefined;
        if (err instanceof CoordinationError || Date.now() >= deadline || this.closed) throw this.unreachable(err);
        await sleep(Math.min(2_000, 200 * 2 ** attempt));
      }
    }
  }

  /** Waits while the window is spent; a database error propagates. */
  private async consume(limiter: RateLimiterPostgres, key: string): Promise<void> {
    for (;;) {
      try {
        await limiter.consume(key, 1);
        return;
      } catch (refusal) {
        if (!isRefusal(refusal)) throw refusal;
        await sleep(Math.max(1, refusal.msBeforeNext) + Math.floor(Math.random() * 10));
      }
    }
  }

  private unreachable(err: unknown): CoordinationError {
    if (err instanceof CoordinationError) return err;
    const reason = describeDbError(err);
    return new CoordinationError(
      `the shared rate budget in ${this.where} (genesys:coordinationUrl) is unreachable: ${reason}. ` +
        "Calls to Genesys are refused rather than paced per process, which would overrun the org's limit. " +
        "Bring the database back (operations can then be run again) or, on a single runner only, unset genesys:coordinationUrl",
      { cause: err },
    );
  }

  private ready(): Promise<{ key: string; limiter: RateLimiterPostgres }[]> {
    if (!this.limiters) {
      this.limiters = this.build();
      // A failed build is retried by the next call, not cached.
      this.limiters.catch(() => (this.limiters = undefined));
    }
    return this.limiters;
  }

  private async build(): Promise<{ key: string; limiter: RateLimiterPostgres }[]> {
    // Loaded here, not at the top: the single-machine default never loads pg.
    const { Pool } = await import("pg");
    const { RateLimiterPostgres } = await import("rate-limiter-flexible");
    if (!this.pool) {
      this.pool = new Pool({
        connectionString: this.opts.url,
        max: 4,
        connectionTimeoutMillis: 5_000,
        idleTimeoutMillis: 5_000,
        allowExitOnIdle: true,
        application_name: "genesys-webmessaging-pulumi",
      });
      // Without a listener an idle client's error (the server restarting) crashes the process;
      // the next call sees the failure through its own query instead.
      this.pool.on("error", () => undefined);
    }
    const pool = this.pool;
    const tableName = this.opts.tableName ?? "genesys_rate_budget";
    const make = (perSecond: number) =>
      new Promise<RateLimiterPostgres>((resolve, reject) => {
        const { points, durationSeconds } = windowFor(perSecond, this.opts.windowSeconds);
        const limiter: RateLimiterPostgres = new RateLimiterPostgres(
          {
            storeClient: pool,
            storeType: "pool",
            tableName,
            points,
            duration: durationSeconds,
            keyPrefix: "genesys",
            clearExpiredByTimeout: false,
          },
          (err?: Error) => (err ? reject(err) : resolve(limiter)),
        );
      });
    const out: { key: string; limiter: RateLimiterPostgres }[] = [];
    if (this.opts.perClientPerSecond !== undefined) {
      out.push({ key: `client:${this.opts.apiHost}:${this.opts.clientId}`, limiter: await make(this.opts.perClientPerSecond) });
    }
    if (this.opts.orgPerSecond !== undefined) {
      out.push({ key: `org:${this.opts.apiHost}`, limiter: await make(this.opts.orgPerSecond) });
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.pool?.end().catch(() => undefined);
    this.pool = undefined;
  }
}

/** A database error as words, without the connection string. */
export function describeDbError(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = e?.code ?? e?.errors?.[0]?.code;
  if (code === "ECONNREFUSED") return "connection refused (is PostgreSQL running and listening there?)";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "the host name did not resolve";
  if (code === "28P01") return "password authentication failed";
  if (code === "3D000") return "the database does not exist";
  if (code === "57P01" || code === "57P03") return "the server is shutting down or starting up";
  const message = typeof e?.message === "string" && e.message ? e.message : String(err);
  return message.replace(/postgres(ql)?:\/\/[^\s]+/g, (m) => redactUrl(m)) + (code ? ` (${code})` : "");
}

const budgets = new Map<string, SharedBudget>();

/** One budget per settings per process, shared by every client built with them. */
export function sharedBudgetFor(opts: SharedBudgetOptions): SharedBudget {
  const key = JSON.stringify(opts);
  let budget = budgets.get(key);
  if (!budget) {
    budget = new SharedBudget(opts);
    budgets.set(key, budget);
  }
  return budget;
}
