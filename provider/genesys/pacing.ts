/**
 * Process-wide pacing for one API host. When the server says "slow down" (429), every caller in
 * the process waits until the server's Retry-After has passed, and then they do not all rush back
 * at once: the number of calls allowed in flight is halved on each throttle and grows again by
 * one per success (additive increase, multiplicative decrease, as TCP does), so callers converge
 * on the rate the server accepts instead of stampeding into the limit again.
 *
 * When the stack states the org's rate (genesys:maxRequestsPerSecond), the gate also keeps sends
 * under it before the server has to say so. Reacting alone costs a whole Retry-After per throttle
 * (Genesys answers in whole seconds, often for a window that closes a few milliseconds later), and
 * the allowance is per access token, i.e. per provider process, which is what this gate spans.
 *
 * In team mode (genesys:coordinationUrl) a granted call also draws from the budget every runner
 * shares (coordination.ts) before it goes out; this gate still spans only its own process.
 *
 * Hand-rolled rather than Bottleneck: Bottleneck has had no release since 2019 and has no notion
 * of learning a limit from throttling; this is the whole mechanism.
 */
export interface PacingOptions {
  /** Calls in flight when the server has never throttled us. */
  maxInFlight: number;
  /** Sends allowed per second, averaged over a window of about a second; unset = no proactive limit. */
  maxPerSecond?: number;
  now?: () => number;
}

/** A budget shared beyond this process (team mode); take() rejects when it cannot be consulted. */
export interface ExternalBudget {
  take(): Promise<void>;
}

/**
 * Slack added to each rate window. The server counts arrivals, the gate counts sends: without it,
 * a send one window after the first of a burst can arrive inside the server's window when its
 * latency is a few milliseconds shorter, and be refused.
 */
const WINDOW_GUARD_MS = 30;

export class PacingGate {
  private limit: number;
  private inFlight = 0;
  private resumeAt = 0;
  private readonly waiters: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  private timerAt = 0;
  private readonly now: () => number;
  /** Send times within the current rate window, oldest first (at most perWindow of them). */
  private sent: number[] = [];
  private perWindow = 0;
  private windowMs = 0;
  private budget?: ExternalBudget;
  private grants = 0;

  constructor(private readonly opts: PacingOptions) {
    this.limit = opts.maxInFlight;
    this.now = opts.now ?? Date.now;
    this.setRate(opts.maxPerSecond);
  }

  /**
   * Sets the proactive limit: `perSecond` sends per second, allowed as bursts of up to a second's
   * worth (the shape of Genesys's fixed windows), or none when undefined.
   */
  setRate(perSecond: number | undefined): void {
    if (perSecond === undefined || !(perSecond > 0)) {
      this.perWindow = 0;
    } else {
      // Whole sends per window; a rate under 1/s becomes one send per longer window.
      this.perWindow = Math.max(1, Math.floor(perSecond));
      this.windowMs = (this.perWindow / perSecond) * 1000 + WINDOW_GUARD_MS;
    }
    this.pump();
  }

  /** Draws every grant from `budget` too (team mode), or from this process alone when undefined. */
  setBudget(budget: ExternalBudget | undefined): void {
    this.budget = budget;
  }

  /** Current allowance, for tests and diagnostics. */
  get allowance(): number {
    return Math.floor(this.limit);
  }

  /** Sends granted so far, for tests and diagnostics. */
  get granted(): number {
    return this.grants;
  }

  /**
   * Resolves when this caller may send; the caller must call the returned release exactly once.
   * Rejects, holding nothing, when the shared budget cannot be consulted (team mode fails closed).
   */
  async acquire(): Promise<() => void> {
    const release = await this.acquireLocal();
    if (!this.budget) return release;
    try {
      // After the local grant, so the call goes out as soon as the shared budget allows it.
      await this.budget.take();
    } catch (err) {
      release();
      throw err;
    }
    return release;
  }

  private acquireLocal(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.inFlight++;
        this.grants++;
        // pump() stamped this send just before granting it.
        const sentAt = this.perWindow > 0 ? this.sent[this.sent.length - 1] : undefined;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.inFlight--;
          this.recount(sentAt);
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

  /**
   * Moves a send's stamp to when its response came back: the latest moment the server can have
   * counted it. Stamped at send alone, a call delayed on its way (a busy event loop, a slow link)
   * opens the server's window later than ours, and the first send of our next window lands in it.
   */
  private recount(sentAt: number | undefined): void {
    if (sentAt === undefined) return;
    const i = this.sent.indexOf(sentAt);
    if (i >= 0) this.sent.splice(i, 1);
    const at = this.now();
    let j = this.sent.length;
    while (j > 0 && this.sent[j - 1]! > at) j--;
    this.sent.splice(j, 0, at);
  }

  /** Milliseconds until the rate window allows another send. */
  private rateWait(now: number): number {
    if (this.perWindow === 0) return 0;
    while (this.sent.length > 0 && now - this.sent[0]! >= this.windowMs) this.sent.shift();
    return this.sent.length < this.perWindow ? 0 : this.sent[0]! + this.windowMs - now;
  }

  private wake(wait: number): void {
    const at = this.now() + wait;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, wait);
  }

  private pump(): void {
    if (this.waiters.length === 0) return;
    const wait = this.remaining();
    if (wait > 0) {
      this.wake(wait);
      return;
    }
    while (this.waiters.length > 0 && this.inFlight < Math.floor(this.limit)) {
      const now = this.now();
      const rateWait = this.rateWait(now);
      if (rateWait > 0) {
        this.wake(rateWait);
        return;
      }
      if (this.perWindow > 0) this.sent.push(now);
      this.waiters.shift()!();
    }
  }
}

const gates = new Map<string, PacingGate>();

/**
 * One gate per API host per process, shared by every client of that host. A client that states a
 * rate sets it for the host; one that does not leaves the host's rate as it is.
 */
export function pacingGateFor(apiUrl: string, maxInFlight = 64, maxPerSecond?: number, budget?: ExternalBudget): PacingGate {
  let gate = gates.get(apiUrl);
  if (!gate) {
    gate = new PacingGate({ maxInFlight, maxPerSecond });
    gates.set(apiUrl, gate);
  } else if (maxPerSecond !== undefined) {
    gate.setRate(maxPerSecond);
  }
  if (budget) gate.setBudget(budget);
  return gate;
}

/**
 * The gate of a login host's token requests, apart from any API host's gate even where both are
 * one host: Genesys limits logins apart from API calls, so a token renewal must not take a send
 * from the API's rate window or team mode's shared budget. It has no stated rate; it only makes
 * every token request of the process wait out the login host's own 429s together.
 */
export function loginGateFor(authUrl: string): PacingGate {
  return pacingGateFor(`${authUrl}#login`);
}
