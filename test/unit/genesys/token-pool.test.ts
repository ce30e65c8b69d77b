import { describe, expect, it } from "vitest";
import { PacingGate } from "../../../provider/genesys/pacing";
import { type FetchedToken, TokenPool, renewalDelayMs } from "../../../provider/genesys/token-pool";

function pool(size: number, opts: { lifetimeMs?: number; now?: () => number } = {}) {
  const fetched: number[] = [];
  let release: (() => void) | undefined;
  const gates = Array.from({ length: size }, () => new PacingGate({ maxInFlight: 64 }));
  const p = new TokenPool({
    size,
    gateFor: (i) => gates[i]!,
    now: opts.now,
    fetch: async (slot): Promise<FetchedToken> => {
      fetched.push(slot.index);
      await new Promise<void>((r) => (release = r));
      return { value: `token-${slot.index}-${fetched.length}`, lifetimeMs: opts.lifetimeMs ?? 3_600_000 };
    },
  });
  const settle = async () => {
    for (let i = 0; i < 20 && !release; i++) await new Promise((r) => setImmediate(r));
    release?.();
    release = undefined;
  };
  return { p, fetched, gates, settle };
}

describe("token pool", () => {
  it("fetches a slot's token once however many callers wait for it", async () => {
    const { p, fetched, settle } = pool(1);
    const tokens = Promise.all(Array.from({ length: 25 }, () => p.run((slot) => slot.token())));
    await settle();
    expect(new Set(await tokens)).toEqual(new Set(["token-0-1"]));
    expect(fetched).toEqual([0]);
  });

  it("spreads concurrent calls over every slot, each slot with its own gate and token", async () => {
    const { p, fetched, gates } = pool(4);
    const used: number[] = [];
    const blockers: (() => void)[] = [];
    const calls = Array.from({ length: 20 }, () =>
      p.run(async (slot) => {
        used.push(slot.index);
        expect(slot.gate).toBe(gates[slot.index]);
        await new Promise<void>((r) => blockers.push(r));
      }),
    );
    for (let i = 0; i < 20 && blockers.length < 20; i++) await new Promise((r) => setImmediate(r));
    expect([0, 1, 2, 3].map((i) => used.filter((u) => u === i).length)).toEqual([5, 5, 5, 5]);
    blockers.forEach((b) => b());
    await Promise.all(calls);
    expect(fetched).toEqual([]);
  });

  it("takes every slot in turn even for calls made one at a time, each fetching its token once", async () => {
    const { p, fetched, settle } = pool(3);
    const used: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = p.run((slot) => {
        used.push(slot.index);
        return slot.token();
      });
      if (i < 3) await settle();
      await t;
    }
    expect(used).toEqual([0, 1, 2, 0, 1, 2, 0]);
    expect(fetched).toEqual([0, 1, 2]);
  });

  it("renews a token ahead of its expiry, and again after a 401 invalidates it", async () => {
    let now = 0;
    const { p, fetched, settle } = pool(1, { lifetimeMs: 100_000, now: () => now });
    const first = p.primary.token();
    await settle();
    expect(await first).toBe("token-0-1");
    now = renewalDelayMs(100_000) - 1;
    expect(await p.primary.token()).toBe("token-0-1");
    now = renewalDelayMs(100_000);
    const renewed = p.primary.token();
    await settle();
    expect(await renewed).toBe("token-0-2");
    p.primary.invalidate("token-0-2");
    const again = p.primary.token();
    await settle();
    expect(await again).toBe("token-0-3");
    expect(fetched).toEqual([0, 0, 0]);
  });

  it("renews at 80% of an hour-long lifetime and at half of a short one", () => {
    expect(renewalDelayMs(3_600_000)).toBe(2_880_000);
    expect(renewalDelayMs(40_000)).toBe(20_000);
  });

  it("refuses a size outside 1..50", () => {
    for (const size of [0, 51, 1.5]) {
      expect(
        () =>
          new TokenPool({ size, fetch: async () => ({ value: "x", lifetimeMs: 1 }), gateFor: () => new PacingGate({ maxInFlight: 1 }) }),
      ).toThrow(/token pool size must be a whole number from 1 to 50/);
    }
  });
});
