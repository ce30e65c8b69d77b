/**
 * The Genesys client against the in-process emulator under every fault the issue names. Each
 * case ends either in success with no duplicate channel, or in a clear error within the budget,
 * and the emulator's request log shows how the client behaved.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { createGenesysClient, GenesysApiError, type BrandSpec, type RetryPolicy } from "../../provider/genesys";
import { BrandsApi } from "../../provider/resources/channel/api";
import { Transport } from "../../provider/genesys/transport";
import { ManualClock } from "../emulator/clock";
import { EmulatorAdmin } from "../support/admin";

const clientId = "fault-client";
const clientSecret = "fault-secret-6f1d2c";
const ADMIN = "fault-admin-token";

let emulator: RunningEmulator;
let admin: EmulatorAdmin;

const spec = (name: string): BrandSpec => ({
  name,
  description: "",
  endpointUrl: "wss://chat.example.com/ws",
  allowedOrigins: ["https://www.example.com"],
  channelTypes: ["webmessaging"],
  settings: { maxConcurrentSessions: 10, rateLimitThreshold: 10, tlsCertificateChain: [], healthCheckInterval: 300 },
});

function client(policy: Partial<RetryPolicy> = {}, secret = clientSecret, apiUrl = emulator.url, sleep?: (ms: number) => Promise<void>) {
  return createGenesysClient({ apiUrl, clientId, clientSecret: secret, policy: { baseDelayMs: 20, maxDelayMs: 200, ...policy }, sleep });
}

/** A sleep that records every wait the client asks for and then really waits, so the order of events is unchanged. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: (ms) => (waits.push(ms), new Promise((resolve) => setTimeout(resolve, ms))) };
}

/** Polls the emulator's request log until `ready` holds for it (observable state instead of a fixed sleep). */
async function logWhen(ready: (log: Awaited<ReturnType<EmulatorAdmin["requests"]>>) => boolean, what: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const log = await admin.requests();
    if (ready(log)) return log;
    if (Date.now() > deadline) throw new Error(`the request log never showed ${what}: ${JSON.stringify(log)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function brandsNamed(name: string) {
  const res = await client().transport.request<{ entities: { id: string; name: string }[] }>({
    operation: "list",
    method: "GET",
    path: "/api/v2/webchat/brands",
    query: { name, pageSize: 100, pageNumber: 1 },
  });
  return res.data.entities;
}

const apiCalls = (log: Awaited<ReturnType<EmulatorAdmin["requests"]>>, method: string, prefix: string) =>
  log.filter((r) => r.method === method && r.path.startsWith(prefix));

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, data: ":memory:", clients: [{ clientId, clientSecret }], adminToken: ADMIN, quiet: true });
  admin = new EmulatorAdmin(emulator.url, ADMIN);
});
afterAll(async () => emulator?.close());
beforeEach(async () => admin.reset());

describe("Genesys client under faults", () => {
  it("retries after Retry-After seconds on a 429 burst, waiting what the server asked before each retry", async () => {
    const { sleep, waits } = recordingSleep();
    // A fallback unlike the server's 1 s, so a Retry-After ignored shows in the waits.
    const c = client({ fallbackRetryAfterMs: 10 }, clientSecret, emulator.url, sleep);
    const { brand } = await c.brands.create(spec("burst"));
    await admin.clearRequests();
    waits.length = 0;
    await admin.fault({ method: "GET", path: `/api/v2/webchat/brands/${brand.id}`, status: 429, retryAfter: 1, count: 2 });
    expect((await c.brands.get(brand.id))?.name).toBe("burst");
    const gets = apiCalls(await admin.requests(), "GET", `/api/v2/webchat/brands/${brand.id}`);
    expect(gets.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(waits).toEqual([1000, 1000]);
  });

  it("rides out more consecutive 429s than the attempts kept for errors, with the default policy", async () => {
    const c = createGenesysClient({ apiUrl: emulator.url, clientId, clientSecret });
    const { brand } = await c.brands.create(spec("throttled-run"));
    await admin.clearRequests();
    await admin.fault({ method: "GET", path: `/api/v2/webchat/brands/${brand.id}`, status: 429, retryAfter: 0, count: 8 });
    expect((await c.brands.get(brand.id))?.name).toBe("throttled-run");
    const gets = apiCalls(await admin.requests(), "GET", `/api/v2/webchat/brands/${brand.id}`);
    expect(gets.map((r) => r.status)).toEqual([...Array(8).fill(429), 200]);
  });

  it("honours Retry-After given as an HTTP date", async () => {
    const { sleep, waits } = recordingSleep();
    // The client's clock stands still on a whole second, so the date is exactly 2 s after "now".
    const now = Math.floor(Date.now() / 1000) * 1000;
    const transport = new Transport({
      apiUrl: emulator.url,
      authUrl: emulator.url,
      clientId,
      clientSecret,
      policy: { baseDelayMs: 20, maxDelayMs: 200, fallbackRetryAfterMs: 10 },
      sleep,
      now: () => now,
    });
    await transport.accessToken();
    await admin.fault({
      method: "GET",
      path: "/api/v2/webchat/brands",
      status: 429,
      retryAfter: new Date(now + 2000).toUTCString(),
      count: 1,
    });
    await new BrandsApi(transport).findByName("nobody");
    expect(apiCalls(await admin.requests(), "GET", "/api/v2/webchat/brands").map((r) => r.status)).toEqual([429, 200]);
    expect(waits).toEqual([2000]);
  });

  it("retries a POST refused with 503 and creates exactly one channel", async () => {
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", status: 503, retryAfter: 1, count: 2 });
    const { brand, recovered } = await client().brands.create(spec("shed"));
    expect(recovered).toBe(false);
    expect((await brandsNamed("shed")).map((b) => b.id)).toEqual([brand.id]);
    expect(apiCalls(await admin.requests(), "POST", "/api/v2/webchat/brands").map((r) => r.status)).toEqual([503, 503, 201]);
  });

  it("retries a GET that fails with 500 using backoff", async () => {
    const { sleep, waits } = recordingSleep();
    const c = client({}, clientSecret, emulator.url, sleep);
    const { brand } = await c.brands.create(spec("flaky-get"));
    await admin.clearRequests();
    await admin.fault({ method: "GET", path: `/api/v2/webchat/brands/${brand.id}`, status: 500, count: 2 });
    expect((await c.brands.get(brand.id))?.id).toBe(brand.id);
    const gets = apiCalls(await admin.requests(), "GET", `/api/v2/webchat/brands/${brand.id}`);
    expect(gets.map((r) => r.status)).toEqual([500, 500, 200]);
    // Full jitter under an exponential ceiling: base 20 ms, then 40 ms.
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeLessThan(20);
    expect(waits[1]).toBeLessThan(40);
  });

  it("does not resend a POST that got a 500 before looking the channel up by name", async () => {
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", status: 500, count: 1 });
    const { brand } = await client().brands.create(spec("five-hundred"));
    const log = await admin.requests();
    const order = log.filter((r) => r.path.startsWith("/api/v2/webchat/brands")).map((r) => `${r.method} ${r.status}`);
    expect(order).toEqual(["POST 500", "GET 200", "POST 201"]);
    expect((await brandsNamed("five-hundred")).map((b) => b.id)).toEqual([brand.id]);
  });

  it("adopts the channel its POST created when the connection is reset after the server committed", async () => {
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", reset: true, afterHandler: true, count: 1 });
    const { brand, recovered } = await client().brands.create(spec("reset-after"));
    expect(recovered).toBe(true);
    expect((await brandsNamed("reset-after")).map((b) => b.id)).toEqual([brand.id]);
    expect(apiCalls(await admin.requests(), "POST", "/api/v2/webchat/brands")).toHaveLength(1);
  });

  it("adopts the channel its last POST committed after earlier POSTs were lost before reaching the server", async () => {
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", reset: true, count: 2 });
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", reset: true, afterHandler: true, count: 1 });
    const { brand, recovered } = await client().brands.create(spec("third-time"));
    expect(recovered).toBe(true);
    expect((await brandsNamed("third-time")).map((b) => b.id)).toEqual([brand.id]);
    expect(apiCalls(await admin.requests(), "POST", "/api/v2/webchat/brands")).toHaveLength(3);
  });

  it("gives up after five lost POSTs, each preceded by a lookup, with nothing created", async () => {
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", reset: true, count: 5 });
    const err = (await client()
      .brands.create(spec("never"))
      .catch((e: unknown) => e)) as GenesysApiError;
    expect(err.details.outcomeUnknown).toBe(true);
    const log = await admin.requests();
    expect(apiCalls(log, "POST", "/api/v2/webchat/brands")).toHaveLength(5);
    expect(log.filter((r) => r.method === "GET" && r.path.startsWith("/api/v2/webchat/brands?"))).toHaveLength(5);
    expect(await brandsNamed("never")).toEqual([]);
  });

  it("abandons a GET that outlasts the timeout and retries it, and a POST that never answers ends with one channel", async () => {
    const timeoutMs = 1_000;
    const c = client({ timeoutMs });
    const { brand } = await c.brands.create(spec("slow"));
    // An answer slower than usual but inside the timeout is waited for: one attempt, no retry.
    await admin.clearRequests();
    await admin.fault({ method: "GET", path: `/api/v2/webchat/brands/${brand.id}`, delayMs: timeoutMs / 4, count: 1 });
    const retriesBefore = c.transport.stats.retries;
    expect((await c.brands.get(brand.id))?.id).toBe(brand.id);
    expect(c.transport.stats.retries).toBe(retriesBefore);
    await admin.clearRequests();
    await admin.fault({ method: "GET", path: `/api/v2/webchat/brands/${brand.id}`, hang: true, count: 1 });
    expect((await c.brands.get(brand.id))?.id).toBe(brand.id);
    const gets = apiCalls(
      await logWhen((log) => apiCalls(log, "GET", `/api/v2/webchat/brands/${brand.id}`).length >= 2, "both GETs"),
      "GET",
      `/api/v2/webchat/brands/${brand.id}`,
    );
    // The first attempt never got an answer (status 0); the client gave up on it and asked again.
    expect(gets.map((r) => r.status)).toEqual([0, 200]);
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", hang: true, count: 1 });
    const second = await c.brands.create(spec("hung"));
    expect((await brandsNamed("hung")).map((b) => b.id)).toEqual([second.brand.id]);
  });

  it("renews the token ahead of its expiry, on one clock shared with the emulator, so no call meets a 401", async () => {
    const clock = new ManualClock();
    const timed = await startEmulator({
      port: 0,
      data: ":memory:",
      clients: [{ clientId, clientSecret }],
      adminToken: ADMIN,
      tokenTtlSeconds: 100,
      clock,
      quiet: true,
    });
    try {
      const transport = new Transport({ apiUrl: timed.url, authUrl: timed.url, clientId, clientSecret, now: () => clock.now() });
      const brands = new BrandsApi(transport);
      const { brand } = await brands.create(spec("ttl"));
      // A 100 s token is renewed 30 s early: still in use at 69 s, replaced at 70 s, 30 s before the server expires it.
      clock.advance(69_000);
      expect((await brands.get(brand.id))?.id).toBe(brand.id);
      expect(transport.stats.tokenRequests).toBe(1);
      clock.advance(1_000);
      expect((await brands.get(brand.id))?.id).toBe(brand.id);
      expect(transport.stats.tokenRequests).toBe(2);
      clock.advance(69_000);
      expect((await brands.get(brand.id))?.id).toBe(brand.id);
      clock.advance(1_000);
      expect((await brands.get(brand.id))?.id).toBe(brand.id);
      expect(transport.stats.tokenRequests).toBe(3);
      const log = await new EmulatorAdmin(timed.url, ADMIN).requests();
      expect(log.filter((r) => r.path === "/oauth/token").map((r) => r.status)).toEqual([200, 200, 200]);
      expect(log.filter((r) => r.status === 401)).toEqual([]);
    } finally {
      await timed.close();
    }
  });

  it("re-authenticates once after a revoked token and then succeeds", async () => {
    const c = client();
    const { brand } = await c.brands.create(spec("revoked"));
    await admin.revokeTokens(clientId);
    expect((await c.brands.get(brand.id))?.id).toBe(brand.id);
    const gets = apiCalls(await admin.requests(), "GET", `/api/v2/webchat/brands/${brand.id}`);
    expect(gets.map((r) => r.status)).toEqual([401, 200]);
    expect(await admin.tokensIssued(clientId)).toBe(2);
  });

  it("fails wrong credentials at once, with one token request and no wait, in a clear error that carries no secret", async () => {
    const { sleep, waits } = recordingSleep();
    const wrong = client({}, "not-the-secret", emulator.url, sleep);
    const err = await wrong.brands.findByName("x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysApiError);
    const e = err as GenesysApiError;
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/obtain an OAuth token failed: 401 invalid_client/);
    expect(e.message).toMatch(/genesys:clientSecret/);
    expect(waits).toEqual([]);
    expect(wrong.transport.stats.tokenRequests).toBe(1);
    expect((await admin.requests()).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["POST /oauth/token 401"]);
    const everything = JSON.stringify(e) + e.message + String(e.stack);
    expect(everything).not.toContain("not-the-secret");
    expect(everything).not.toMatch(/Basic |Bearer |authorization/i);
  });

  it("fails clearly when the API refuses the token again right after re-authentication", async () => {
    const c = client();
    const { brand } = await c.brands.create(spec("refused-twice"));
    await admin.clearRequests();
    await admin.fault({ method: "GET", path: `/api/v2/webchat/brands/${brand.id}`, status: 401, count: 2 });
    const err = (await c.brands.get(brand.id).catch((e: unknown) => e)) as GenesysApiError;
    expect(err).toBeInstanceOf(GenesysApiError);
    expect(err.status).toBe(401);
    expect(err.message).toMatch(
      /^read channel .* failed: 401 .*the OAuth client was refused: check genesys:clientId \/ genesys:clientSecret/,
    );
    const log = await admin.requests();
    // Exactly one re-authentication between the two refusals, then no further attempt.
    expect(log.map((r) => `${r.method} ${r.path.split("?")[0]} ${r.status}`)).toEqual([
      `GET /api/v2/webchat/brands/${brand.id} 401`,
      "POST /oauth/token 200",
      `GET /api/v2/webchat/brands/${brand.id} 401`,
    ]);
  });

  it("fails at once when Retry-After asks for longer than the cap, instead of waiting it out", async () => {
    const { sleep, waits } = recordingSleep();
    const c = client({ retryAfterCapMs: 5_000 }, clientSecret, emulator.url, sleep);
    await c.transport.accessToken();
    await admin.clearRequests();
    await admin.fault({ method: "GET", path: "/api/v2/webchat/brands", status: 429, retryAfter: 6 });
    const err = (await c.brands.findByName("patient").catch((e: unknown) => e)) as GenesysApiError;
    expect(err.status).toBe(429);
    expect(waits).toEqual([]);
    expect((await admin.requests()).map((r) => r.status)).toEqual([429]);
  });

  it("waits out a Retry-After exactly at the cap", async () => {
    const { sleep, waits } = recordingSleep();
    const c = client({ retryAfterCapMs: 1_000 }, clientSecret, emulator.url, sleep);
    await c.transport.accessToken();
    await admin.clearRequests();
    await admin.fault({ method: "GET", path: "/api/v2/webchat/brands", status: 429, retryAfter: 1, count: 1 });
    expect(await c.brands.findByName("patient")).toBeUndefined();
    expect(waits).toEqual([1_000]);
    expect((await admin.requests()).map((r) => r.status)).toEqual([429, 200]);
  });

  it.each([404, 409])("does not retry a %i", async (status) => {
    const { sleep, waits } = recordingSleep();
    const c = client({}, clientSecret, emulator.url, sleep);
    const { brand } = await c.brands.create(spec(`final-${status}`));
    await admin.clearRequests();
    await admin.fault({ method: "PUT", path: `/api/v2/webchat/brands/${brand.id}`, status, count: 1 });
    const err = (await c.brands.update(brand.id, spec(`final-${status}`), brand.version).catch((e: unknown) => e)) as GenesysApiError;
    expect(err.status).toBe(status);
    expect(waits).toEqual([]);
    expect(apiCalls(await admin.requests(), "PUT", "/api/v2/webchat/brands").map((r) => r.status)).toEqual([status]);
  });

  it("shares one token among concurrent callers", async () => {
    const c = client();
    await Promise.all(Array.from({ length: 20 }, () => c.brands.findByName("concurrent")));
    expect(await admin.tokensIssued(clientId)).toBe(1);
    expect(c.transport.stats.tokenRequests).toBe(1);
  });

  it("fails a dead API within the retry budget with a message that says so", async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    // The client's own clock, moved only by its waits: the budget is counted in the time it chose to wait.
    let clock = 0;
    const waits: number[] = [];
    const url = `http://127.0.0.1:${port}`;
    const transport = new Transport({
      apiUrl: url,
      authUrl: url,
      clientId,
      clientSecret,
      policy: { baseDelayMs: 200, maxDelayMs: 400, budgetMs: 1500, maxAttempts: 50 },
      now: () => clock,
      random: () => 0.99,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    const err = (await transport
      .request({ operation: "list brands", method: "GET", path: "/api/v2/webchat/brands" })
      .catch((e: unknown) => e)) as GenesysApiError;
    expect(err).toBeInstanceOf(GenesysApiError);
    // 198 + 396 + 396 + 396 = 1386 ms waited; one more 396 ms wait would overrun the 1500 ms budget.
    expect(waits).toEqual([198, 396, 396, 396]);
    expect(err.details.attempts).toBe(5);
    expect(err.message).toMatch(
      /^obtain an OAuth token failed: the connection was refused; gave up after 5 attempts in 1 s \(retry budget 2 s\)/,
    );
  });

  it("makes concurrent callers wait together when the server says slow down", async () => {
    const limited = await startEmulator({
      port: 0,
      data: ":memory:",
      clients: [{ clientId, clientSecret }],
      adminToken: ADMIN,
      rateLimit: { requests: 5, perSeconds: 1 },
      quiet: true,
    });
    try {
      const c = client({}, clientSecret, limited.url);
      await c.transport.accessToken();
      const callers = 30;
      const results = await Promise.all(Array.from({ length: callers }, () => c.brands.findByName("paced")));
      expect(results).toHaveLength(callers);
      const log = await new EmulatorAdmin(limited.url, ADMIN).requests();
      const throttled = log.filter((r) => r.status === 429).length;
      // The first burst meets the limit unavoidably (25 of 30 refused). Callers that each waited
      // and retried on their own would then hit it again every window: 20 + 15 + 10 + 5 more.
      // Waiting together and coming back a few at a time keeps the later refusals to a few per window.
      expect(throttled).toBeGreaterThanOrEqual(25);
      expect(throttled - 25).toBeLessThanOrEqual(20);
      expect(log.filter((r) => r.status === 200)).toHaveLength(callers + 1);
    } finally {
      await limited.close();
    }
  });

  it("does not follow a redirect, so the bearer token never reaches another host", async () => {
    let leaked = false;
    const elsewhere = http.createServer((req, res) => {
      if (req.headers.authorization) leaked = true;
      res.end("{}");
    });
    await new Promise<void>((r) => elsewhere.listen(0, "127.0.0.1", r));
    const target = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
    const redirector = http.createServer((req, res) => {
      if (req.url?.startsWith("/oauth/token")) {
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ access_token: "tok-redirect-test", token_type: "bearer", expires_in: 3600 }));
        return;
      }
      res.writeHead(302, { location: `${target}${req.url}` });
      res.end();
    });
    await new Promise<void>((r) => redirector.listen(0, "127.0.0.1", r));
    try {
      const err = (await client({}, clientSecret, `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`)
        .brands.findByName("x")
        .catch((e: unknown) => e)) as GenesysApiError;
      expect(err.message).toMatch(/redirect \(302\), which is not followed/);
      expect(err.message).not.toContain("tok-redirect-test");
      expect(leaked).toBe(false);
    } finally {
      redirector.close();
      elsewhere.close();
    }
  });

  it("keeps the request log free of the client secret and access tokens", async () => {
    const c = client();
    const token = await c.transport.accessToken();
    await c.brands.create(spec("log-check"));
    const log = JSON.stringify(await admin.requests());
    expect(log).not.toContain(clientSecret);
    expect(log).not.toContain(token);
  });
});
