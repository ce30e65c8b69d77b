/**
 * Fixed-window limiter per access token. A fixed window keeps the hot path O(1) at thousands of requests
 * per second; Retry-After is the time until the current window closes, which is exactly when a retry passes.
 *
 * Optionally also an org-wide window (--org-rate-limit) counting every token of every client together,
 * the way one org's allowance is shared by all its integrations: with it, several runners that each
 * stay under the per-token limit can still overrun the org, which is what team mode must prevent.
 */
export interface WindowLimit {
  requests: number;
  perSeconds: number;
}

/** The key of the org-wide window; access-token hashes never look like this. */
const ORG_KEY = "\u0000org";

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly windowMs: number;

  constructor(
    private readonly limit: number,
    perSeconds: number,
    private readonly now: () => number = Date.now,
    private readonly org?: WindowLimit,
  ) {
    this.windowMs = perSeconds * 1000;
  }

  /** Returns 0 when the request may proceed, otherwise the Retry-After in whole seconds (>= 1). */
  take(key: string): number {
    const now = this.now();
    const w = this.window(key, now, this.windowMs);
    if (w.count >= this.limit) return Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
    if (this.org) {
      const orgMs = this.org.perSeconds * 1000;
      const o = this.window(ORG_KEY, now, orgMs);
      // Refused requests consume nothing, in either window.
      if (o.count >= this.org.requests) return Math.max(1, Math.ceil((o.start + orgMs - now) / 1000));
      o.count++;
    }
    w.count++;
    return 0;
  }

  reset(): void {
    this.windows.clear();
  }

  private window(key: string, now: number, windowMs: number): { start: number; count: number } {
    let w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) {
      if (this.windows.size > 10_000) this.prune(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    return w;
  }

  private prune(now: number): void {
    const orgMs = (this.org?.perSeconds ?? 0) * 1000;
    for (const [k, w] of this.windows) if (now - w.start >= (k === ORG_KEY ? orgMs : this.windowMs)) this.windows.delete(k);
  }
}
