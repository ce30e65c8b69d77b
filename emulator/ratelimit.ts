/**
 * Fixed-window limiter per access token. A fixed window keeps the hot path O(1) at thousands of requests
 * per second; Retry-After is the time until the current window closes, which is exactly when a retry passes.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly windowMs: number;

  constructor(
    private readonly limit: number,
    perSeconds: number,
    private readonly now: () => number = Date.now,
  ) {
    this.windowMs = perSeconds * 1000;
  }

  /** Returns 0 when the request may proceed, otherwise the Retry-After in whole seconds (>= 1). */
  take(key: string): number {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.prune(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    if (w.count < this.limit) {
      w.count++;
      return 0;
    }
    return Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
  }

  reset(): void {
    this.windows.clear();
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}
