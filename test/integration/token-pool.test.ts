/**
 * genesys:tokenPoolSize against the emulator, whose rate limit counts per access token as
 * Genesys's does: a pool of N tokens of one client gets N times the allowance.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { createGenesysClient } from "../../provider/genesys";
import { EmulatorAdmin } from "../support/admin";

const clientId = "pool-client";
const clientSecret = "pool-secret-93b1e0";
const ADMIN = "pool-admin-token";

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function limitedEmulator(perSecond: number) {
  emulator = await startEmulator({
    port: 0,
    data: ":memory:",
    clients: [{ clientId, clientSecret }],
    adminToken: ADMIN,
    rateLimit: { requests: perSecond, perSeconds: 1 },
    quiet: true,
  });
  return { url: emulator.url, admin: new EmulatorAdmin(emulator.url, ADMIN) };
}

const client = (apiUrl: string, tokenPoolSize: number, maxRequestsPerSecond?: number) =>
  createGenesysClient({
    apiUrl,
    clientId,
    clientSecret,
    tokenPoolSize,
    maxRequestsPerSecond,
    policy: { baseDelayMs: 20, maxDelayMs: 200 },
  });

const lookups = (c: ReturnType<typeof client>, n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => c.brands.findByName(`pool-${i}`)));
const throttled = async (admin: EmulatorAdmin) => (await admin.requests()).filter((r) => r.status === 429).length;

describe("token pool against the per-token rate limit", () => {
  it("spreads a burst over the pool: 20 calls on 4 tokens of 5 per second each are never refused", async () => {
    const { url, admin } = await limitedEmulator(5);
    await lookups(client(url, 4), 20);
    expect(await throttled(admin)).toBe(0);
    expect(await admin.tokensIssued(clientId)).toBe(4);
  });

  it("the same burst on one token meets the limit (what the pool avoids)", async () => {
    const { url, admin } = await limitedEmulator(5);
    await lookups(client(url, 1), 20);
    expect(await throttled(admin)).toBeGreaterThan(0);
    expect(await admin.tokensIssued(clientId)).toBe(1);
  });

  it("paced at maxRequestsPerSecond per token, a pool of 4 makes 60 calls with exactly 4 tokens and no 429", async () => {
    const { url, admin } = await limitedEmulator(5);
    const results = await lookups(client(url, 4, 5), 60);
    expect(results).toHaveLength(60);
    expect(await throttled(admin)).toBe(0);
    expect(await admin.tokensIssued(clientId)).toBe(4);
    expect((await admin.requests()).filter((r) => r.status === 200 && r.path.startsWith("/api/v2/webchat/brands"))).toHaveLength(60);
  }, 60_000);
});
