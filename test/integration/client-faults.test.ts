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

function client(policy: Partial<RetryPolicy> = {}, secret = clientSecret, apiUrl = emulator.url) {
  return createGenesysClient({ apiUrl, clientId, clientSecret: secret, policy: { baseDelayMs: 20, maxDelayMs: 200, ...policy } });
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
  it("retries after Retry-After seconds on a 429 burst and the gap before each retry is at least that long", async () => {
    const c = client();
    const { brand } = await c.brands.create(spec("burst"));
    await admin.clearRequests();
    await admin.fault({ method: "GET", path: `/api/v2/webchat/brands/${brand.id}`, status: 429, retryAfter: 1, count: 2 });
    expect((await c.brands.get(brand.id))?.name).toBe("burst");
    const gets = apiCalls(await admin.requests(), "GET", `/api/v2/webchat/brands/${brand.id}`);
    expect(gets.map((r) => r.status)).toEqual([429, 429, 200]);
    for (let i = 1; i < gets.length; i++) {
      const gap = Date.parse(gets[i].time) - (Date.parse(gets[i - 1].time) + gets[i - 1].durationMs);
      expect(gap).toBeGreaterThanOrEqual(950);
    }
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
    const c = client();
    await c.transport.accessToken();
    const when = new Date(Date.now() + 2000).toUTCString();
    await admin.fault({ method: "GET", path: "/api/v2/webchat/brands", status: 429, retryAfter: when, count: 1 });
    const started = Date.now();
    await c.brands.findByName("nobody");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("retries a POST refused with 503 and creates exactly one channel", async () => {
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", status: 503, retryAfter: 1, count: 2 });
    const { brand, recovered } = await client().brands.create(spec("shed"));
    expect(recovered).toBe(false);
    expect((await brandsNamed("shed")).map((b) => b.id)).toEqual([brand.id]);
    expect(apiCalls(await admin.requests(), "POST", "/api/v2/webchat/brands").map((r) => r.status)).toEqual([503, 503, 201]);
  });

  it("retries a GET that fails with 500 using backoff", async () => {
    const c = client();
    const { brand } = await c.brands.create(spec("flaky-get"));
    await admin.fault({ method: "GET", path: `/api/v2/webchat/brands/${brand.id}`, status: 500, count: 2 });
    expect((await c.brands.get(brand.id))?.id).toBe(brand.id);
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

  it("retries a GET slower than the timeout and a POST that never answers ends with one channel", async () => {
    const c = client({ timeoutMs: 400 });
    const { brand } = await c.brands.create(spec("slow"));
    await admin.fault({ method: "GET", path: `/api/v2/webchat/brands/${brand.id}`, delayMs: 1500, count: 1 });
    expect((await c.brands.get(brand.id))?.id).toBe(brand.id);
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", hang: true, count: 1 });
    const second = await c.brands.create(spec("hung"));
    expect((await brandsNamed("hung")).map((b) => b.id)).toEqual([second.brand.id]);
  });

  it("renews a token that expires mid-run without failing a call", async () => {
    const short = await startEmulator({
      port: 0,
      data: ":memory:",
      clients: [{ clientId, clientSecret }],
      adminToken: ADMIN,
      tokenTtlSeconds: 2,
      quiet: true,
    });
    try {
      const c = client({}, clientSecret, short.url);
      const { brand } = await c.brands.create(spec("ttl"));
      for (let i = 0; i < 6; i++) {
        expect((await c.brands.get(brand.id))?.id).toBe(brand.id);
        await new Promise((r) => setTimeout(r, 500));
      }
      const log = await new EmulatorAdmin(short.url, ADMIN).requests();
      expect(log.filter((r) => r.status === 401)).toEqual([]);
      expect(c.transport.stats.tokenRequests).toBeGreaterThanOrEqual(2);
    } finally {
      await short.close();
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

  it("fails wrong credentials at once with a clear error that carries no secret", async () => {
    const started = Date.now();
    const err = await client({}, "not-the-secret")
      .brands.findByName("x")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenesysApiError);
    const e = err as GenesysApiError;
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/obtain an OAuth token failed: 401 invalid_client/);
    expect(e.message).toMatch(/genesys:clientSecret/);
    expect(Date.now() - started).toBeLessThan(2000);
    const everything = JSON.stringify(e) + e.message + String(e.stack);
    expect(everything).not.toContain("not-the-secret");
    expect(everything).not.toMatch(/Basic |Bearer |authorization/i);
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
    const started = Date.now();
    const err = (await client({ budgetMs: 1500, maxAttempts: 50 }, clientSecret, `http://127.0.0.1:${port}`)
      .brands.findByName("x")
      .catch((e: unknown) => e)) as GenesysApiError;
    expect(Date.now() - started).toBeLessThan(4000);
    expect(err.message).toMatch(/connection was refused; gave up after \d+ attempts in \d+ s \(retry budget 2 s\)/);
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
