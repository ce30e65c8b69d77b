import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PacingGate } from "../../../provider/genesys/pacing";

/** Acquires n slots in order and records when each was granted (fake clock). */
function grantTimes(gate: PacingGate, n: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    void gate.acquire().then((release) => {
      times.push(Date.now());
      release();
    });
  }
  return times;
}

describe("pacing gate with a stated rate", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lets a second's worth of calls go at once, then holds the rest until the window has passed", async () => {
    const gate = new PacingGate({ maxInFlight: 64, maxPerSecond: 5, now: () => Date.now() });
    const times = grantTimes(gate, 12);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(times).toHaveLength(12);
    expect(times.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    // Never more than 5 grants in any window of one second (plus the guard).
    for (let i = 5; i < times.length; i++) expect(times[i]! - times[i - 5]!).toBeGreaterThanOrEqual(1000);
    expect(times[11]).toBeLessThan(2 * 1000 + 200);
  });

  it("spreads a rate under one per second as single calls further apart", async () => {
    const gate = new PacingGate({ maxInFlight: 64, maxPerSecond: 0.5, now: () => Date.now() });
    const times = grantTimes(gate, 3);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(2000);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(2000);
  });

  it("does not limit the rate when none is stated", async () => {
    const gate = new PacingGate({ maxInFlight: 64, now: () => Date.now() });
    const times = grantTimes(gate, 50);
    await vi.advanceTimersByTimeAsync(0);
    expect(times).toHaveLength(50);
  });

  it("still waits out a server pause on top of the stated rate", async () => {
    const gate = new PacingGate({ maxInFlight: 64, maxPerSecond: 100, now: () => Date.now() });
    gate.throttled(3_000);
    const times = grantTimes(gate, 2);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(times.every((t) => t >= 3_000)).toBe(true);
  });
});
