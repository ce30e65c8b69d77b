/**
 * The emulator's one source of time: token expiry, the rate limiter's windows, webhook retry waits and
 * delivery timestamps, fault delays and the dates it stamps on objects. Tests pass their own clock to
 * `startEmulator({ clock })` so that time-dependent behaviour is driven, not slept through.
 */
export interface EmulatorClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds, or at once when `signal` aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: EmulatorClock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      // A pending wait (a delayed fault, a webhook retry) must not keep the process alive on its own.
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    });
  },
};

export function isoNow(clock: EmulatorClock): string {
  return new Date(clock.now()).toISOString();
}
