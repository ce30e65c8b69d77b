import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN_HEADER, assembleEmulator } from "../../emulator";
import { isLoopbackHost } from "../../emulator/config";
import { ADMIN, basic, brandBody, start, type Harness } from "./helpers";

const BRANDS = "/api/v2/webchat/brands";

describe("admin API access", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await start();
  });
  afterAll(() => h.close());

  it("requires the admin token header: 401 without it, 403 with a wrong one", async () => {
    const missing = await fetch(`${h.url}/__admin/requests`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { code: string }).code).toBe("authentication.required");
    const wrong = await fetch(`${h.url}/__admin/requests`, { headers: { "x-emulator-admin-token": `${ADMIN}x` } });
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get("inin-correlation-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect((await h.admin("GET", "/requests")).status).toBe(200);
  });

  it("does not exist when no admin token is configured", async () => {
    const plain = await start({ adminToken: undefined });
    try {
      const r = await fetch(`${plain.url}/__admin/requests`, { headers: { "x-emulator-admin-token": ADMIN } });
      expect(r.status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it("only treats loopback peers as local", () => {
    for (const a of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1", "localhost"]) expect(isLoopbackHost(a)).toBe(true);
    for (const a of ["10.0.0.1", "192.168.1.2", "::ffff:10.0.0.1", "0.0.0.0", "example.com", ""]) expect(isLoopbackHost(a)).toBe(false);
  });

  it("refuses a peer that is not on loopback, whatever token it sends", async () => {
    // The emulator only listens on loopback, so no real remote peer can reach it from a test: drive the
    // same server through Fastify's injector, which presents the request as coming from that address.
    const emu = assembleEmulator({ adminToken: ADMIN, quiet: true });
    try {
      const ask = (remoteAddress: string) =>
        emu.app.inject({ method: "GET", url: "/__admin/requests", headers: { [ADMIN_TOKEN_HEADER]: ADMIN }, remoteAddress });
      for (const peer of ["10.0.0.7", "::ffff:192.168.1.20", "2001:db8::1"]) {
        const r = await ask(peer);
        expect([peer, r.statusCode]).toEqual([peer, 403]);
        expect(r.json()).toMatchObject({ code: "missing.any.permissions", message: "The admin API only answers loopback clients." });
      }
      // The same request from a loopback peer is answered, so the refusals above are the address's doing.
      for (const peer of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) expect([peer, (await ask(peer)).statusCode]).toEqual([peer, 200]);
    } finally {
      await emu.close();
    }
  });

  it("refuses to listen on a non-loopback host", async () => {
    await expect(start({ host: "0.0.0.0" })).rejects.toThrow(/loopback/);
  });

  it("reset deletes brands, webhooks, tokens, faults and logs", async () => {
    const token = await h.token();
    await h.api("POST", BRANDS, { token, body: brandBody() });
    await h.api("POST", "/api/v2/webhooks/webhooks", {
      token,
      body: { name: "w", uri: "https://lb.example.com/sync", eventFilters: [{ eventType: "webchat.brand.created" }], enabled: false },
    });
    await h.admin("POST", "/faults", { path: "/nowhere", status: 500 });
    expect((await h.admin("POST", "/reset")).status).toBe(204);
    expect((await h.admin("GET", "/requests")).json.requests).toEqual([]);
    expect((await h.admin("GET", "/faults")).json.faults).toEqual([]);
    expect((await h.admin("GET", "/tokens/count")).json.issued).toBe(0);
    expect((await h.api("GET", BRANDS, { token })).status).toBe(401);
    const fresh = await h.token();
    expect((await h.api("GET", BRANDS, { token: fresh })).json.total).toBe(0);
    expect((await h.api("GET", "/api/v2/webhooks/webhooks", { token: fresh })).json.total).toBe(0);
  });
});

describe("admin calls", () => {
  it("are never rate limited, faulted or logged, while API calls are", async () => {
    const h = await start({ rateLimit: { requests: 1, perSeconds: 3_600 } });
    try {
      const token = await h.token();
      expect((await h.api("GET", BRANDS, { token })).status).toBe(200);
      expect((await h.api("GET", BRANDS, { token })).status).toBe(429);
      // A rule matching every request, for one shot: an admin call that met it would use it up.
      const rule = (await h.admin("POST", "/faults", { status: 503, count: 1 })).json;
      const admin = [
        await h.admin("GET", "/faults"),
        await h.admin("GET", "/requests"),
        await h.admin("GET", "/tokens/count"),
        await h.admin("GET", "/deliveries"),
        await h.admin("DELETE", "/requests"),
        await h.admin("GET", "/faults"),
      ];
      expect(admin.map((r) => r.status)).toEqual([200, 200, 200, 200, 204, 200]);
      expect(admin[5]!.json.faults).toEqual([expect.objectContaining({ id: rule.id, hits: 0, count: 1 })]);
      const faulted = await h.api("GET", BRANDS, { token });
      expect(faulted.status).toBe(503);
      const log = (await h.admin("GET", "/requests")).json.requests;
      expect(log.map((e: { method: string; path: string; status: number }) => `${e.method} ${e.path} ${e.status}`)).toEqual([
        `GET ${BRANDS} 503`,
      ]);
    } finally {
      await h.close();
    }
  });
});

describe("request log", () => {
  it("records each API request with status, correlation id, duration and client, but no credential", async () => {
    const clientSecret = "client-secret-VALUE-123";
    const webhookSecret = "webhook-secret-VALUE-456";
    const h = await start({ clients: [{ clientId: "logger", clientSecret }] });
    try {
      await h.admin("DELETE", "/requests");
      const token = await h.token("logger", clientSecret);
      await fetch(`${h.url}/oauth/token?grant_type=client_credentials`, {
        method: "POST",
        headers: { authorization: basic("logger", "bad-guess") },
      });
      const created = await h.api("POST", BRANDS, { token, body: brandBody() });
      await h.api("GET", `${BRANDS}?name=x&access_token=${token}&client_secret=${clientSecret}`, { token });
      await h.api("POST", "/api/v2/webhooks/webhooks", {
        token,
        body: {
          name: "lb",
          uri: "https://lb.example.com/sync",
          eventFilters: [{ eventType: "webchat.brand.created" }],
          secret: webhookSecret,
          enabled: false,
        },
      });
      await h.api("GET", "/api/v2/unknown");
      await h.admin("GET", "/faults"); // admin calls stay out of the log

      const r = await h.admin("GET", "/requests");
      const entries = r.json.requests as Record<string, unknown>[];
      expect(entries.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
        "POST /oauth/token 200",
        "POST /oauth/token?grant_type=client_credentials 401",
        `POST ${BRANDS} 201`,
        `GET ${BRANDS}?name=x 200`,
        "POST /api/v2/webhooks/webhooks 201",
        "GET /api/v2/unknown 404",
      ]);
      expect(entries[2]).toMatchObject({
        clientId: "logger",
        correlationId: created.headers.get("inin-correlation-id"),
        durationMs: expect.any(Number),
        time: expect.any(String),
      });
      expect(entries[0]!.clientId).toBe("logger");
      expect(entries[1]!.clientId).toBeUndefined();

      const text = r.text;
      for (const secret of [token, clientSecret, webhookSecret, "bad-guess", Buffer.from(`logger:${clientSecret}`).toString("base64")]) {
        expect(text).not.toContain(secret);
      }
      expect(text.toLowerCase()).not.toContain("authorization");
      expect(text.toLowerCase()).not.toContain("bearer");
    } finally {
      await h.close();
    }
  });
});

describe("persistence", () => {
  it("keeps brands, webhooks and tokens across a restart on the same file", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "emu-persist-"));
    const data = path.join(dir, "emulator.db");
    try {
      const first = await start({ data });
      const token = await first.token();
      const brand = await first.api("POST", BRANDS, { token, body: brandBody() });
      const hook = await first.api("POST", "/api/v2/webhooks/webhooks", {
        token,
        body: { name: "lb", uri: "https://lb.example.com/sync", eventFilters: [{ eventType: "webchat.brand.created" }], secret: "s" },
      });
      await first.close();

      const second = await start({ data });
      try {
        const got = await second.api("GET", `${BRANDS}/${brand.json.id}`, { token });
        expect(got.status).toBe(200);
        expect(got.json).toEqual(brand.json);
        const wh = await second.api("GET", `/api/v2/webhooks/webhooks/${hook.json.id}`, { token });
        expect(wh.json).toMatchObject({ name: "lb", hasSecret: true });
        expect((await second.admin("GET", "/tokens/count")).json.issued).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
