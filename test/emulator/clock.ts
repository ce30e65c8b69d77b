import type { EmulatorClock } from "../../emulator";

interface Sleeper {
  until: number;
  wake: () => void;
}

/**
 * A clock the test moves by hand: the emulator's waits (webhook retries, fault delays) resolve only when
 * `advance` reaches them, and its readings (token expiry, rate-limit windows, timestamps) are exact. Time
 * then is something a test drives and asserts, never something it sleeps through.
 */
export class ManualClock implements EmulatorClock {
  private current: number;
  private sleepers: Sleeper[] = [];
  /** Every wait the emulator asked for, in milliseconds, in the order asked. */
  readonly waits: number[] = [];

  /** Starts on a whole second, so that unix-second timestamps are exact multiples of what a test adds. */
  constructor(start = Date.UTC(2026, 0, 15, 9, 30, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.waits.push(ms);
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const sleeper: Sleeper = {
        until: this.current + ms,
        wake: () => {
          this.sleepers = this.sleepers.filter((s) => s !== sleeper);
          signal?.removeEventListener("abort", sleeper.wake);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener("abort", sleeper.wake, { once: true });
    });
  }

  /** Moves time forward by `ms`, waking every wait that has come due. */
  advance(ms: number): void {
    this.current += ms;
    for (const s of this.sleepers.filter((s) => s.until <= this.current)) s.wake();
  }

  /** How many waits are pending now. */
  get pending(): number {
    return this.sleepers.length;
  }

  /** Resolves once the emulator is blocked on `n` waits (it reaches them on its own, after real I/O). */
  async waitForSleepers(n = 1, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sleepers.length < n) {
      if (Date.now() > deadline) throw new Error(`expected the emulator to wait on ${n} timer(s), it waits on ${this.sleepers.length}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
