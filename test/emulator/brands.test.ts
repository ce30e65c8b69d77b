import { readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { start, brandBody, UUID_RE, type Harness } from "./helpers";

const BRANDS = "/api/v2/webchat/brands";
const certs = path.join(__dirname, "../fixtures/certs");
const pem = (name: string): string => readFileSync(path.join(certs, `${name}.pem`), "utf8");

describe("brands", () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await start({ rateLimit: { requests: 10_000, perSeconds: 60 } });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.admin("POST", "/reset");
    token = await h.token();
  });

  it("creates, reads, updates and deletes a brand, bumping the version on each update", async () => {
    const input = brandBody({ channelTypes: ["webchat", "webmessaging"] });
    const created = await h.api("POST", BRANDS, { token, body: input });
    expect(created.status).toBe(201);
    const b = created.json;
    expect(b.id).toMatch(UUID_RE);
    expect(b).toMatchObject({
      name: input.name,
      description: input.description,
      endpointUrl: input.endpointUrl,
      allowedOrigins: input.allowedOrigins,
      channelTypes: ["webchat", "webmessaging"],
      status: "active",
      version: 1,
      selfUri: `${BRANDS}/${b.id}`,
      settings: { ...input.settings, healthStatus: "pending" },
    });
    expect(Date.parse(b.dateCreated)).not.toBeNaN();
    expect(b.dateModified).toBe(b.dateCreated);
    expect(b.settings.lastHealthCheck).toBeUndefined();

    const got = await h.api("GET", `${BRANDS}/${b.id}`, { token });
    expect(got.status).toBe(200);
    expect(got.json).toEqual(b);

    const put1 = await h.api("PUT", `${BRANDS}/${b.id}`, {
      token,
      body: { ...input, description: "changed", version: 1, settings: { ...input.settings, maxConcurrentSessions: 10 } },
    });
    expect(put1.status).toBe(200);
    expect(put1.json).toMatchObject({ id: b.id, version: 2, description: "changed", dateCreated: b.dateCreated });
    expect(put1.json.settings.maxConcurrentSessions).toBe(10);
    expect(Date.parse(put1.json.dateModified)).toBeGreaterThanOrEqual(Date.parse(b.dateModified));

    // A GET-modify-PUT round trip echoes server-owned fields; they are accepted and ignored.
    const put2 = await h.api("PUT", `${BRANDS}/${b.id}`, { token, body: { ...put1.json, name: `${input.name} v3` } });
    expect(put2.status).toBe(200);
    expect(put2.json).toMatchObject({ version: 3, name: `${input.name} v3`, status: "active" });

    const stale = await h.api("PUT", `${BRANDS}/${b.id}`, { token, body: { ...input, version: 2 } });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ code: "version.mismatch", status: 409 });
    expect((await h.api("GET", `${BRANDS}/${b.id}`, { token })).json.version).toBe(3);

    const del = await h.api("DELETE", `${BRANDS}/${b.id}`, { token });
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    const gone = await h.api("GET", `${BRANDS}/${b.id}`, { token });
    expect(gone.status).toBe(404);
    expect(gone.json).toMatchObject({ code: "not.found", status: 404 });
    expect((await h.api("DELETE", `${BRANDS}/${b.id}`, { token })).status).toBe(404);
    expect((await h.api("PUT", `${BRANDS}/${b.id}`, { token, body: { ...input, version: 3 } })).status).toBe(404);
  });

  it("fills in the default healthCheckInterval and an empty certificate chain", async () => {
    const { settings } = brandBody();
    const r = await h.api("POST", BRANDS, {
      token,
      body: brandBody({ settings: { maxConcurrentSessions: settings.maxConcurrentSessions, rateLimitThreshold: 5 } }),
    });
    expect(r.status).toBe(201);
    expect(r.json.settings).toMatchObject({ healthCheckInterval: 300, tlsCertificateChain: [] });
  });

  it("accepts a valid certificate chain covering the endpoint host", async () => {
    const chain = [pem("leaf"), pem("intermediate-ca")];
    const r = await h.api("POST", BRANDS, {
      token,
      body: brandBody({ settings: { ...brandBody().settings, tlsCertificateChain: chain } }),
    });
    expect(r.status).toBe(201);
    expect(r.json.settings.tlsCertificateChain).toEqual(chain);
  });

  it("refuses a duplicate name with 409 conflict, on create and on rename", async () => {
    const a = await h.api("POST", BRANDS, { token, body: brandBody({ name: "Alpha" }) });
    const b = await h.api("POST", BRANDS, { token, body: brandBody({ name: "Beta" }) });
    const dup = await h.api("POST", BRANDS, { token, body: brandBody({ name: "Alpha" }) });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ code: "conflict", status: 409 });
    expect(dup.json.message).toContain("Alpha");
    const rename = await h.api("PUT", `${BRANDS}/${b.json.id}`, { token, body: brandBody({ name: "Alpha", version: 1 }) });
    expect(rename.status).toBe(409);
    expect(rename.json.code).toBe("conflict");
    expect((await h.api("GET", `${BRANDS}/${b.json.id}`, { token })).json).toMatchObject({ name: "Beta", version: 1 });
    expect(a.status).toBe(201);
  });

  it("refuses to change channelTypes with 400 naming the field, and leaves the brand alone", async () => {
    const created = await h.api("POST", BRANDS, { token, body: brandBody({ channelTypes: ["webchat"] }) });
    const body = { ...brandBody({ name: created.json.name, channelTypes: ["webmessaging"] }), version: 1 };
    const r = await h.api("PUT", `${BRANDS}/${created.json.id}`, { token, body });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe("invalid.value");
    expect(r.json.message).toContain("channelTypes");
    expect((await h.api("GET", `${BRANDS}/${created.json.id}`, { token })).json.version).toBe(1);
    // The same set in another order is not a change.
    const reordered = await h.api("POST", BRANDS, { token, body: brandBody({ channelTypes: ["webchat", "webmessaging"] }) });
    const same = await h.api("PUT", `${BRANDS}/${reordered.json.id}`, {
      token,
      body: { ...brandBody({ name: reordered.json.name, channelTypes: ["webmessaging", "webchat"] }), version: 1 },
    });
    expect(same.status).toBe(200);
  });

  it("requires version on PUT", async () => {
    const created = await h.api("POST", BRANDS, { token, body: brandBody() });
    const r = await h.api("PUT", `${BRANDS}/${created.json.id}`, { token, body: brandBody({ name: created.json.name }) });
    expect(r.status).toBe(400);
    expect(r.json.message).toContain("version");
  });

  // Limits are the contract's literal numbers (api-contract.md), never the provider's constants: the
  // emulator is the oracle the provider is checked against. Each limit is probed on both sides of its edge.
  const base = brandBody();
  const withSettings = (patch: Record<string, unknown>): Record<string, unknown> => ({ settings: { ...base.settings, ...patch } });
  const atTheLimits: [string, Record<string, unknown>][] = [
    ["a 1-character name", { name: "x" }],
    ["a 128-character name", { name: "n".repeat(128) }],
    ["an empty description", { description: "" }],
    ["a 512-character description", { description: "d".repeat(512) }],
    ["maxConcurrentSessions 1", withSettings({ maxConcurrentSessions: 1 })],
    ["maxConcurrentSessions 10000", withSettings({ maxConcurrentSessions: 10_000 })],
    ["rateLimitThreshold 1", withSettings({ rateLimitThreshold: 1 })],
    ["rateLimitThreshold 5000", withSettings({ rateLimitThreshold: 5_000 })],
    ["healthCheckInterval 30", withSettings({ healthCheckInterval: 30 })],
    ["healthCheckInterval 3600", withSettings({ healthCheckInterval: 3_600 })],
  ];

  it.each(atTheLimits)("accepts %s, exactly at the contract's limit, and stores it as sent", async (_what, patch) => {
    const body = { ...brandBody(), ...patch };
    const r = await h.api("POST", BRANDS, { token, body });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject(patch);
    const put = await h.api("PUT", `${BRANDS}/${r.json.id}`, { token, body: { ...body, version: 1 } });
    expect(put.status, put.text).toBe(200);
  });

  const violations: [string, Record<string, unknown>, string][] = [
    ["name", { name: "" }, "name"],
    ["name", { name: "   " }, "name"],
    ["name", { name: "n".repeat(129) }, "name"],
    ["description", { description: "d".repeat(513) }, "description"],
    ["endpointUrl", { endpointUrl: "http://wss.example.com/messages" }, "endpointUrl"],
    ["endpointUrl", { endpointUrl: "not a url" }, "endpointUrl"],
    ["allowedOrigins", { allowedOrigins: [] }, "allowedOrigins"],
    ["allowedOrigins", { allowedOrigins: ["https://app.example.com/path"] }, "allowedOrigins[0]"],
    ["channelTypes", { channelTypes: ["sms"] }, "channelTypes[0]"],
    ["channelTypes", { channelTypes: [] }, "channelTypes"],
    ["maxConcurrentSessions", withSettings({ maxConcurrentSessions: 10_001 }), "settings.maxConcurrentSessions"],
    ["maxConcurrentSessions", { settings: { ...base.settings, maxConcurrentSessions: 0 } }, "settings.maxConcurrentSessions"],
    ["maxConcurrentSessions", { settings: { ...base.settings, maxConcurrentSessions: 1.5 } }, "settings.maxConcurrentSessions"],
    ["rateLimitThreshold", withSettings({ rateLimitThreshold: 5_001 }), "settings.rateLimitThreshold"],
    ["rateLimitThreshold", { settings: { ...base.settings, rateLimitThreshold: 0 } }, "settings.rateLimitThreshold"],
    ["healthCheckInterval", withSettings({ healthCheckInterval: 29 }), "settings.healthCheckInterval"],
    ["healthCheckInterval", withSettings({ healthCheckInterval: 3_601 }), "settings.healthCheckInterval"],
    [
      "tlsCertificateChain",
      { settings: { ...base.settings, tlsCertificateChain: ["-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"] } },
      "settings.tlsCertificateChain[0]",
    ],
    [
      "tlsCertificateChain",
      { settings: { ...base.settings, tlsCertificateChain: [pem("leaf-expired")] } },
      "settings.tlsCertificateChain[0]",
    ],
    ["unknown property", { colour: "blue" }, "colour"],
    ["unknown settings property", { settings: { ...base.settings, maxConcurentSessions: 5 } }, "settings.maxConcurentSessions"],
  ];

  it.each(violations)("rejects a bad %s with 400 naming %j", async (_what, patch, field) => {
    const r = await h.api("POST", BRANDS, { token, body: { ...brandBody(), ...patch } });
    expect(r.status).toBe(400);
    expect(["bad.request", "invalid.value"]).toContain(r.json.code);
    expect(r.json.message).toContain(field);
    expect(r.json.details.map((d: { fieldName: string }) => d.fieldName)).toContain(field);
    expect((await h.api("GET", BRANDS, { token })).json.total).toBe(0);
  });

  it("rejects a body that is not a JSON object, and malformed JSON, with 400 bad.request", async () => {
    expect((await h.api("POST", BRANDS, { token, body: [brandBody()] })).json.code).toBe("bad.request");
    const r = await fetch(`${h.url}${BRANDS}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { code: string }).code).toBe("bad.request");
  });

  it("lists brands with paging and an exact name filter", async () => {
    for (const name of ["Gamma", "Alpha", "Beta", "Alpha 2"]) {
      expect((await h.api("POST", BRANDS, { token, body: brandBody({ name }) })).status).toBe(201);
    }
    const page1 = await h.api("GET", `${BRANDS}?pageSize=3&pageNumber=1`, { token });
    expect(page1.json).toMatchObject({ pageSize: 3, pageNumber: 1, total: 4, pageCount: 2 });
    expect(page1.json.entities.map((e: { name: string }) => e.name)).toEqual(["Alpha", "Alpha 2", "Beta"]);
    const page2 = await h.api("GET", `${BRANDS}?pageSize=3&pageNumber=2`, { token });
    expect(page2.json.entities.map((e: { name: string }) => e.name)).toEqual(["Gamma"]);
    const byName = await h.api("GET", `${BRANDS}?name=Alpha`, { token });
    expect(byName.json).toMatchObject({ total: 1, pageCount: 1 });
    expect(byName.json.entities[0].name).toBe("Alpha");
    expect((await h.api("GET", `${BRANDS}?name=alpha`, { token })).json.total).toBe(0);
    const bad = await h.api("GET", `${BRANDS}?pageSize=0`, { token });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain("pageSize");
  });

  it("reports pending health until probed, then the probe result, and honours an admin override", async () => {
    const created = await h.api("POST", BRANDS, { token, body: brandBody() });
    const id = created.json.id;
    expect((await h.api("GET", `${BRANDS}/${id}`, { token })).json.settings.healthStatus).toBe("pending");

    const probed = await h.api("GET", `${BRANDS}/${id}?expand=health`, { token });
    expect(probed.status).toBe(200);
    expect(probed.json.settings.healthStatus).toBe("active");
    expect(Date.parse(probed.json.settings.lastHealthCheck)).not.toBeNaN();
    expect(probed.json.version).toBe(1);

    expect((await h.admin("PUT", `/brands/${id}/health`, { healthStatus: "degraded" })).status).toBe(200);
    expect((await h.api("GET", `${BRANDS}/${id}?expand=health`, { token })).json.settings.healthStatus).toBe("degraded");
    // A plain GET shows the last probe's result without probing again.
    expect((await h.api("GET", `${BRANDS}/${id}`, { token })).json.settings.healthStatus).toBe("degraded");

    await h.admin("PUT", `/brands/${id}/health`, { healthStatus: null });
    expect((await h.api("GET", `${BRANDS}/${id}?expand=health`, { token })).json.settings.healthStatus).toBe("active");

    expect((await h.admin("PUT", `/brands/${id}/health`, { healthStatus: "sick" })).status).toBe(400);
    expect((await h.admin("PUT", `/brands/00000000-0000-4000-8000-000000000000/health`, { healthStatus: "active" })).status).toBe(404);
    expect((await h.api("GET", `${BRANDS}/00000000-0000-4000-8000-000000000000?expand=health`, { token })).status).toBe(404);
  });

  it("keeps server-owned health through an update", async () => {
    const created = await h.api("POST", BRANDS, { token, body: brandBody() });
    const probed = await h.api("GET", `${BRANDS}/${created.json.id}?expand=health`, { token });
    const put = await h.api("PUT", `${BRANDS}/${created.json.id}`, {
      token,
      body: { ...probed.json, settings: { ...probed.json.settings, healthStatus: "unreachable" } },
    });
    expect(put.status).toBe(200);
    expect(put.json.settings.healthStatus).toBe("active");
    expect(put.json.settings.lastHealthCheck).toBe(probed.json.settings.lastHealthCheck);
  });
});

describe("connect health probe", () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await start({ healthProbe: "connect" });
    token = await h.token();
  });
  afterAll(() => h.close());

  it("reports unreachable for a closed port and degraded for a TCP listener that does not speak TLS", async () => {
    const server = net.createServer((s) => s.end("not tls\n"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const open = (server.address() as net.AddressInfo).port;
    const closedServer = net.createServer();
    await new Promise<void>((r) => closedServer.listen(0, "127.0.0.1", r));
    const closed = (closedServer.address() as net.AddressInfo).port;
    await new Promise((r) => closedServer.close(r));
    try {
      const down = await h.api("POST", BRANDS, { token, body: brandBody({ endpointUrl: `https://127.0.0.1:${closed}/x` }) });
      const plain = await h.api("POST", BRANDS, { token, body: brandBody({ endpointUrl: `wss://127.0.0.1:${open}/x` }) });
      const a = await h.api("GET", `${BRANDS}/${down.json.id}?expand=health`, { token });
      const b = await h.api("GET", `${BRANDS}/${plain.json.id}?expand=health`, { token });
      expect(a.json.settings.healthStatus).toBe("unreachable");
      expect(b.json.settings.healthStatus).toBe("degraded");
    } finally {
      server.close();
    }
  });
});
