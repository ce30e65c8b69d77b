import { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator";
import { BrandsApi } from "../../provider/resources/channel/api";
import { CoordinationError, SharedBudget, sharedBudgetFor } from "../../provider/genesys/coordination";
import { Transport } from "../../provider/genesys/transport";
import { type ThrowawayPostgres, startPostgres } from "../../scripts/postgres";

describe("shared rate budget in PostgreSQL", () => {
  let pg: ThrowawayPostgres;
  let url: string;
  const budgets: SharedBudget[] = [];
  const budget = (opts: Partial<ConstructorParameters<typeof SharedBudget>[0]> = {}) => {
    const b = new SharedBudget({ url, apiHost: "api.test", clientId: "runner", perClientPerSecond: 5, ...opts });
    budgets.push(b);
    return b;
  };

  beforeAll(async () => {
    pg = await startPostgres();
    url = await pg.createDatabase("coordination");
  });
  afterAll(async () => {
    for (const b of budgets) await b.close();
    await pg?.destroy();
  });

  /**
   * Runs the takes at once and returns how many were granted in each of the budget's windows, in
   * order: the window a grant fell in is the `expire` of `key`'s row, read right after the grant
   * (a window here lasts 20 s, far longer than that read).
   */
  async function grantsPerWindow(key: string, takes: (() => Promise<void>)[]): Promise<number[]> {
    const db = new Pool({ connectionString: url });
    try {
      const windows: number[] = [];
      await Promise.all(
        takes.map(async (take) => {
          await take();
          const { rows } = await db.query<{ expire: string }>("SELECT expire FROM genesys_rate_budget WHERE key = $1", [key]);
          windows.push(Number(rows[0]!.expire));
        }),
      );
      const counts = new Map<number, number>();
      for (const w of windows.sort((a, b) => a - b)) counts.set(w, (counts.get(w) ?? 0) + 1);
      return [...counts.values()];
    } finally {
      await db.end();
    }
  }

  it("holds four independent budgets (as four runners) to one client's rate together: 5 grants a window among them", async () => {
    // 0.25/s over a 20 s window: 5 calls a window.
    const runners = [0, 1, 2, 3].map(() => budget({ perClientPerSecond: 0.25, windowSeconds: 20, apiHost: "shared.test" }));
    const takes = runners.flatMap((b) => [() => b.take(), () => b.take()]);
    expect(await grantsPerWindow("genesys:client:shared.test:runner", takes)).toEqual([5, 3]);
  });

  it("adds an org-wide budget that different OAuth clients share: 5 grants a window between two clients", async () => {
    const a = budget({ clientId: "client-a", perClientPerSecond: 100, orgPerSecond: 0.25, windowSeconds: 20, apiHost: "org.test" });
    const b = budget({ clientId: "client-b", perClientPerSecond: 100, orgPerSecond: 0.25, windowSeconds: 20, apiHost: "org.test" });
    const takes = [a, b, a, b, a, b, a, b].map((x) => () => x.take());
    expect(await grantsPerWindow("genesys:org:org.test", takes)).toEqual([5, 3]);
  });

  it("fails closed with an error naming genesys:coordinationUrl and not the password when the database is down, and recovers after a restart", async () => {
    const b = budget({ unreachableBudgetMs: 1_000, apiHost: "restart.test" });
    await b.take();
    await pg.stop();
    const err = await b.take().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CoordinationError);
    const message = (err as Error).message;
    expect(message).toContain("genesys:coordinationUrl");
    expect(message).toMatch(/unreachable: connection refused/);
    expect(message).not.toContain(new URL(url).password);
    // The pool's idle clients died with the server: this process is still alive and recovers.
    await pg.start();
    await b.take();
  });

  it("rides out a short restart within its unreachable budget", async () => {
    const b = budget({ unreachableBudgetMs: 30_000, apiHost: "short.test" });
    await b.take();
    await pg.stop();
    const pending = b.take();
    await new Promise((r) => setTimeout(r, 1_000));
    await pg.start();
    await expect(pending).resolves.toBeUndefined();
  });

  it("draws only API calls from the budget: token requests go to the login host, which is limited apart", async () => {
    const client = { clientId: "budget-client", clientSecret: "budget-secret-7d2a" };
    const emulator = await startEmulator({ port: 0, data: ":memory:", clients: [client], quiet: true });
    const apiHost = new URL(emulator.url).host;
    try {
      // A 60 s window (50/s, as Genesys shapes it) holds every call of this test, so its count is the number of draws.
      const transport = new Transport({
        apiUrl: emulator.url,
        authUrl: emulator.url,
        ...client,
        coordinationUrl: url,
        maxRequestsPerSecond: 50,
        rateWindowSeconds: 60,
        tokenPoolSize: 3,
      });
      budgets.push(
        sharedBudgetFor({ url, apiHost, clientId: client.clientId, perClientPerSecond: 50, orgPerSecond: undefined, windowSeconds: 60 }),
      );
      const brands = new BrandsApi(transport);
      // Three calls at once take the three slots of the pool: three tokens fetched, three API calls.
      await Promise.all([0, 1, 2].map((i) => brands.findByName(`budget-${i}`)));
      expect(transport.stats.tokenRequests).toBe(3);
      const db = new Pool({ connectionString: url });
      try {
        const { rows } = await db.query<{ points: number }>("SELECT points FROM genesys_rate_budget WHERE key = $1", [
          `genesys:client:${apiHost}:${client.clientId}`,
        ]);
        expect(rows.map((r) => r.points)).toEqual([3]);
      } finally {
        await db.end();
      }
    } finally {
      await emulator.close();
    }
  });

  it("needs a rate to share", () => {
    expect(() => new SharedBudget({ url, apiHost: "x", clientId: "y" })).toThrow(CoordinationError);
  });
});
