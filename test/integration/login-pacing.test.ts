/**
 * Token requests go to the login host, which Genesys limits apart from the API host: they must not
 * spend the API host's pacing (genesys:maxRequestsPerSecond), and a 429 from the login host must
 * not pause API calls. The emulator serves both on one URL, as an explicit genesys:apiUrl does.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { BrandsApi } from "../../provider/resources/channel/api";
import { pacingGateFor } from "../../provider/genesys/pacing";
import { Transport } from "../../provider/genesys/transport";
import { ManualClock } from "../emulator/clock";
import { EmulatorAdmin } from "../support/admin";

const clientId = "login-pacing-client";
const clientSecret = "login-pacing-secret-4c1e";
const ADMIN = "login-pacing-admin";

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(clock?: ManualClock) {
  emulator = await startEmulator({
    port: 0,
    data: ":memory:",
    clients: [{ clientId, clientSecret }],
    adminToken: ADMIN,
    tokenTtlSeconds: 100,
    clock,
    quiet: true,
  });
  return { url: emulator.url, admin: new EmulatorAdmin(emulator.url, ADMIN) };
}

describe("token requests and the API host's pacing", () => {
  it("at 1 request/s, token renewals take none of the API gate's grants: only the API calls do", async () => {
    const clock = new ManualClock();
    const { url, admin } = await start(clock);
    const transport = new Transport({ apiUrl: url, authUrl: url, clientId, clientSecret, maxRequestsPerSecond: 1, now: () => clock.now() });
    const brands = new BrandsApi(transport);
    const apiGate = pacingGateFor(url);
    const before = apiGate.granted;
    const lookups = 3;
    for (let i = 0; i < lookups; i++) {
      expect(await brands.findByName(`renewed-${i}`)).toBeUndefined();
      // Past the renewal point of the 100 s token (70 s): the next call renews it first.
      clock.advance(70_000);
    }
    const log = await admin.requests();
    expect(log.filter((r) => r.method === "POST" && r.path === "/oauth/token").map((r) => r.status)).toEqual([200, 200, 200]);
    expect(log.filter((r) => r.path.startsWith("/api/"))).toHaveLength(lookups);
    expect(transport.stats.tokenRequests).toBe(lookups);
    // Each renewal taking a grant would have held the call after it for a whole 1 s window.
    expect(apiGate.granted - before).toBe(lookups);
  }, 60_000);

  it("waits out a 429 from the login host without pausing the API host's callers", async () => {
    const { url, admin } = await start();
    const apiGate = pacingGateFor(url);
    const waits: { ms: number; apiPausedForMs: number }[] = [];
    const transport = new Transport({
      apiUrl: url,
      authUrl: url,
      clientId,
      clientSecret,
      // Observed at the moment the policy decided to wait: is the API host paused as well?
      sleep: (ms) => (waits.push({ ms, apiPausedForMs: apiGate.remaining() }), new Promise((resolve) => setTimeout(resolve, ms))),
    });
    await admin.fault({ method: "POST", path: "/oauth/token", status: 429, retryAfter: 1, count: 1 });
    await transport.accessToken();
    expect(waits).toEqual([{ ms: 1_000, apiPausedForMs: 0 }]);
    expect(transport.stats.throttled).toBe(1);
    const log = await admin.requests();
    expect(log.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["POST /oauth/token 429", "POST /oauth/token 200"]);
  });
});
