/**
 * Process-wide pacing for one API host. When the server says "slow down" (429), every caller in
 * the process waits until the server's Retry-After has passed, and then they do not all rush back
 * at once: the number of calls allowed in flight is halved on each throttle and grows again by
 * one per success (additive increase, multiplicative decrease, as TCP does), so callers converge
 * on the rate the server accepts instead of stampeding into the limit again.
 *
 * Hand-rolled rather than Bottleneck: Bottleneck has had no release since 2019 and has no notion
 * of learning a limit from throttling; this is the whole mechanism.
 */
export interface PacingOptions {
  /** Calls in flight when the server has never throttled us. */
  maxInFlight: number;
  now?: () => number;
}

export class PacingGate {
  private limit: number;
  private inFlight = 0;
  private resumeAt = 0;
  private readonly waiters: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly opts: PacingOptions) {
    this.limit = opts.maxInFlight;
    this.now = opts.now ?? Date.now;
  }

  /** Current allowance, for tests and diagnostics. */
  get allowance(): number {
    return Math.floor(this.limit);
  }

  /** Resolves when this caller may send; the caller must call the returned release exactly once. */
  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.inFlight++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.inFlight--;
          this.pump();
        });
      };
      this.waiters.push(grant);
      this.pump();
    });
  }

  /** The server throttled a call: everyone waits until `untilMs`, then fewer calls go at once. */
  throttled(untilMs: number): void {
    this.resumeAt = Math.max(this.resumeAt, untilMs);
    this.limit = Math.max(1, this.limit / 2);
    this.pump();
  }

  succeeded(): void {
    // +1 per full round of successes: grows by about one call per round trip.
    this.limit = Math.min(this.opts.maxInFlight, this.limit + 1 / Math.max(1, Math.floor(this.limit)));
    this.pump();
  }

  /** Milliseconds until the shared pause ends. */
  remaining(): number {
    return Math.max(0, this.resumeAt - this.now());
  }

  private pump(): void {
    const wait = this.remaining();
    if (wait > 0) {
      if (!this.timer && this.waiters.length > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
      }
      return;
    }
    while (this.waiters.length > 0 && this.inFlight < Math.floor(this.limit)) {
      this.waiters.shift()!();
    }
  }
}

const gates = new Map<string, PacingGate>();

/** One gate per API host per process, shared by every client of that host. */
export function pacingGateFor(apiUrl: string, maxInFlight = 64): PacingGate {
  let gate = gates.get(apiUrl);
  if (!gate) {
    gate = new PacingGate({ maxInFlight });
    gates.set(apiUrl, gate);
  }
  return gate;
}
