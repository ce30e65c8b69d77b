import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { brandBody, eventually, start, UUID_RE, type Harness } from "./helpers";
import { Receiver } from "./receiver";

const HOOKS = "/api/v2/webhooks/webhooks";
const BRANDS = "/api/v2/webchat/brands";

function hookBody(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    name: "WebMessaging-LoadBalancer-Sync",
    uri: "https://lb.example.com/api/sync",
    eventFilters: [{ eventType: "webchat.brand.created" }, { eventType: "webchat.brand.updated" }],
    type: "rest",
    enabled: true,
    deliveryPolicy: { retryCount: 3, retryInterval: 60 },
    ...overrides,
  };
}

describe("webhooks API", () => {
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

  it("creates, reads, lists, updates and deletes a webhook without ever returning its secret", async () => {
    const created = await h.api("POST", HOOKS, { token, body: hookBody({ secret: "shh-very-secret" }) });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ ...hookBody(), hasSecret: true, selfUri: `${HOOKS}/${created.json.id}` });
    expect(created.json.id).toMatch(UUID_RE);
    const id = created.json.id;

    const got = await h.api("GET", `${HOOKS}/${id}`, { token });
    expect(got.json).toEqual(created.json);
    const list = await h.api("GET", `${HOOKS}?name=${encodeURIComponent(hookBody().name)}`, { token });
    expect(list.json).toMatchObject({ total: 1, entities: [created.json] });

    // Leaving the write-only secret out of a PUT keeps it; null removes it.
    const put = await h.api("PUT", `${HOOKS}/${id}`, { token, body: hookBody({ enabled: false }) });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ enabled: false, hasSecret: true, dateCreated: created.json.dateCreated });
    const cleared = await h.api("PUT", `${HOOKS}/${id}`, { token, body: hookBody({ secret: null }) });
    expect(cleared.json.hasSecret).toBe(false);

    for (const r of [created, got, list, put, cleared]) expect(r.text).not.toContain("shh-very-secret");

    expect((await h.api("DELETE", `${HOOKS}/${id}`, { token })).status).toBe(204);
    expect((await h.api("GET", `${HOOKS}/${id}`, { token })).status).toBe(404);
    expect((await h.api("PUT", `${HOOKS}/${id}`, { token, body: hookBody() })).status).toBe(404);
    expect((await h.api("DELETE", `${HOOKS}/${id}`, { token })).status).toBe(404);
  });

  it("refuses a duplicate name with 409, on create and on rename", async () => {
    await h.api("POST", HOOKS, { token, body: hookBody({ name: "a" }) });
    const b = await h.api("POST", HOOKS, { token, body: hookBody({ name: "b" }) });
    const dup = await h.api("POST", HOOKS, { token, body: hookBody({ name: "a" }) });
    expect(dup.status).toBe(409);
    expect(dup.json.code).toBe("conflict");
    expect((await h.api("PUT", `${HOOKS}/${b.json.id}`, { token, body: hookBody({ name: "a" }) })).status).toBe(409);
  });

  it.each([
    [{ uri: "http://lb.example.com/sync" }, "uri"],
    [{ uri: "ftp://127.0.0.1/sync" }, "uri"],
    [{ eventFilters: [] }, "eventFilters"],
    [{ eventFilters: [{ eventType: "webchat.brand.exploded" }] }, "eventFilters[0].eventType"],
    [{ eventFilters: [{ eventType: "webchat.brand.created", brandId: "nope" }] }, "eventFilters[0].brandId"],
    [{ deliveryPolicy: { retryCount: 11, retryInterval: 60 } }, "deliveryPolicy.retryCount"],
    [{ deliveryPolicy: { retryCount: 1, retryInterval: 0 } }, "deliveryPolicy.retryInterval"],
    [{ type: "sqs" }, "type"],
    [{ secret: "" }, "secret"],
    [{ colour: "red" }, "colour"],
  ])("rejects %j with 400 naming %s", async (patch, field) => {
    const r = await h.api("POST", HOOKS, { token, body: hookBody(patch) });
    expect(r.status).toBe(400);
    expect(r.json.message).toContain(field);
  });

  it("accepts an http:// receiver on loopback", async () => {
    expect((await h.api("POST", HOOKS, { token, body: hookBody({ uri: "http://127.0.0.1:9/hook" }) })).status).toBe(201);
    expect((await h.api("POST", HOOKS, { token, body: hookBody({ name: "l", uri: "http://localhost:9/hook" }) })).status).toBe(201);
  });
});

describe("webhook deliveries", () => {
  let h: Harness;
  let token: string;
  let rx: Receiver;
  beforeAll(async () => {
    h = await start({ rateLimit: { requests: 10_000, perSeconds: 60 }, webhookIntervalScale: 0.01 });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.admin("POST", "/reset");
    token = await h.token();
    rx = await new Receiver().start();
  });
  afterEach(() => rx.close());

  async function hook(overrides: Record<string, unknown> = {}): Promise<string> {
    const r = await h.api("POST", HOOKS, { token, body: hookBody({ uri: rx.url, ...overrides }) });
    expect(r.status).toBe(201);
    return r.json.id;
  }

  it("signs each delivery with HMAC-SHA256 over timestamp.body and sends the contract's body", async () => {
    const secret = "lb-signing-secret";
    const webhookId = await hook({ secret });
    const brand = (await h.api("POST", BRANDS, { token, body: brandBody() })).json;
    const [d] = await rx.waitFor(1);
    const ts = d!.headers["x-genesys-timestamp"] as string;
    expect(ts).toMatch(/^\d+$/);
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(10);
    const expected = `sha256=${createHmac("sha256", secret).update(`${ts}.${d!.raw}`).digest("hex")}`;
    expect(d!.headers["x-genesys-signature"]).toBe(expected);
    expect(d!.headers["x-genesys-webhook-id"]).toBe(webhookId);
    expect(d!.headers["x-genesys-delivery-id"]).toMatch(UUID_RE);
    expect(d!.body).toEqual({
      id: d!.headers["x-genesys-delivery-id"],
      eventType: "webchat.brand.created",
      timestamp: expect.any(String),
      brand: {
        id: brand.id,
        name: brand.name,
        endpointUrl: brand.endpointUrl,
        allowedOrigins: brand.allowedOrigins,
        status: "active",
        healthStatus: "pending",
      },
    });
    const wrong = `sha256=${createHmac("sha256", "other").update(`${ts}.${d!.raw}`).digest("hex")}`;
    expect(d!.headers["x-genesys-signature"]).not.toBe(wrong);
  });

  it("delivers unsigned when the webhook has no secret", async () => {
    await hook();
    await h.api("POST", BRANDS, { token, body: brandBody() });
    const [d] = await rx.waitFor(1);
    expect(d!.headers["x-genesys-signature"]).toBeUndefined();
    expect(d!.headers["x-genesys-delivery-id"]).toMatch(UUID_RE);
  });

  it("retries a delivery that got a 500, keeping its delivery id, and logs every attempt", async () => {
    rx.statuses = [500, 503];
    const webhookId = await hook({ secret: "s", deliveryPolicy: { retryCount: 3, retryInterval: 1 } });
    const brand = (await h.api("POST", BRANDS, { token, body: brandBody() })).json;
    const got = await rx.waitFor(3);
    const ids = got.map((d) => d.headers["x-genesys-delivery-id"]);
    expect(new Set(ids).size).toBe(1);
    // retryInterval 1 s scaled by 0.01: about 10 ms apart, never back to back.
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(8);
    const log = await eventually(async () => {
      const d = (await h.admin("GET", "/deliveries")).json.deliveries;
      return d.length === 3 ? d : undefined;
    });
    expect(log.map((d: { attempt: number; status: number }) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 503],
      [3, 200],
    ]);
    expect(log[0]).toMatchObject({
      id: ids[0],
      webhookId,
      eventType: "webchat.brand.created",
      brandId: brand.id,
      time: expect.any(String),
    });
  });

  it("gives up after retryCount retries", async () => {
    rx.statuses = [500, 500, 500, 500];
    await hook({ deliveryPolicy: { retryCount: 1, retryInterval: 1 } });
    await h.api("POST", BRANDS, { token, body: brandBody() });
    await rx.waitFor(2);
    await new Promise((r) => setTimeout(r, 150));
    expect(rx.received).toHaveLength(2);
    expect((await h.admin("GET", "/deliveries")).json.deliveries).toHaveLength(2);
  });

  it("records a connection failure as an attempt with an error", async () => {
    const dead = new Receiver();
    await dead.start();
    const deadUrl = dead.url;
    await dead.close();
    await h.api("POST", HOOKS, { token, body: hookBody({ uri: deadUrl, deliveryPolicy: { retryCount: 0, retryInterval: 1 } }) });
    await h.api("POST", BRANDS, { token, body: brandBody() });
    const log = await eventually(async () => {
      const d = (await h.admin("GET", "/deliveries")).json.deliveries;
      return d.length === 1 ? d : undefined;
    });
    expect(log[0]).toMatchObject({ attempt: 1, error: expect.any(String) });
    expect(log[0].status).toBeUndefined();
  });

  it("only delivers events whose type and brandId match the filters", async () => {
    const a = (await h.api("POST", BRANDS, { token, body: brandBody() })).json;
    const b = (await h.api("POST", BRANDS, { token, body: brandBody() })).json;
    await hook({ eventFilters: [{ eventType: "webchat.brand.updated", brandId: a.id }] });
    await h.api("PUT", `${BRANDS}/${b.id}`, { token, body: { ...b, description: "b changed" } });
    await h.api("DELETE", `${BRANDS}/${b.id}`, { token });
    await h.api("PUT", `${BRANDS}/${a.id}`, { token, body: { ...a, description: "a changed" } });
    // Deliveries to one webhook are sent in event order, so anything matched before a's update would be here first.
    const got = await rx.waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toHaveLength(1);
    expect(got[0]!.body).toMatchObject({ eventType: "webchat.brand.updated", brand: { id: a.id } });
  });

  it("sends a deleted event with the brand as it was", async () => {
    await hook({ eventFilters: [{ eventType: "webchat.brand.deleted" }] });
    const a = (await h.api("POST", BRANDS, { token, body: brandBody() })).json;
    await h.api("DELETE", `${BRANDS}/${a.id}`, { token });
    const [d] = await rx.waitFor(1);
    expect(d!.body).toMatchObject({ eventType: "webchat.brand.deleted", brand: { id: a.id, name: a.name } });
  });

  it("sends nothing to a disabled webhook", async () => {
    await hook({ name: "off", enabled: false });
    await hook({ name: "on", eventFilters: [{ eventType: "webchat.brand.deleted" }] });
    const a = (await h.api("POST", BRANDS, { token, body: brandBody() })).json;
    await h.api("DELETE", `${BRANDS}/${a.id}`, { token });
    await rx.waitFor(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(rx.received.map((d) => d.body.eventType)).toEqual(["webchat.brand.deleted"]);
  });

  it("keeps deliveries to one webhook in event order, even across retries", async () => {
    rx.statuses = [500];
    await hook({ deliveryPolicy: { retryCount: 2, retryInterval: 5 } });
    const a = (await h.api("POST", BRANDS, { token, body: brandBody() })).json;
    for (let v = 1; v <= 3; v++) {
      await h.api("PUT", `${BRANDS}/${a.id}`, { token, body: { ...a, name: `${a.name} v${v + 1}`, version: v } });
    }
    const got = await rx.waitFor(5);
    expect(got.map((d) => `${d.body.eventType} ${d.body.brand.name}`)).toEqual([
      `webchat.brand.created ${a.name}`,
      `webchat.brand.created ${a.name}`,
      `webchat.brand.updated ${a.name} v2`,
      `webchat.brand.updated ${a.name} v3`,
      `webchat.brand.updated ${a.name} v4`,
    ]);
    const ids = got.map((d) => d.body.id);
    expect(ids[0]).toBe(ids[1]);
    expect(new Set(ids).size).toBe(4);
  });

  it("never makes the API response wait for a slow receiver", async () => {
    rx.delayMs = 1000;
    await hook();
    const t0 = Date.now();
    const r = await h.api("POST", BRANDS, { token, body: brandBody() });
    expect(r.status).toBe(201);
    expect(Date.now() - t0).toBeLessThan(500);
    await rx.waitFor(1);
  });
});
