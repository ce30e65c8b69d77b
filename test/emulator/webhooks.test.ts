import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "./clock";
import { brandBody, start, UUID_RE, type Harness } from "./helpers";
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
    [{ deliveryPolicy: { retryCount: -1, retryInterval: 60 } }, "deliveryPolicy.retryCount"],
    [{ deliveryPolicy: { retryCount: 11, retryInterval: 60 } }, "deliveryPolicy.retryCount"],
    [{ deliveryPolicy: { retryCount: 1, retryInterval: 0 } }, "deliveryPolicy.retryInterval"],
    [{ deliveryPolicy: { retryCount: 1, retryInterval: 3_601 } }, "deliveryPolicy.retryInterval"],
    [{ type: "sqs" }, "type"],
    [{ secret: "" }, "secret"],
    [{ colour: "red" }, "colour"],
  ])("rejects %j with 400 naming %s", async (patch, field) => {
    const r = await h.api("POST", HOOKS, { token, body: hookBody(patch) });
    expect(r.status).toBe(400);
    expect(r.json.message).toContain(field);
  });

  it.each([
    ["a 129-character name", { name: "w".repeat(129) }, "name"],
    ["a 1025-character secret", { secret: "s".repeat(1_025) }, "secret"],
  ])("rejects %s, one past the limit, with 400 naming %s", async (_what, patch, field) => {
    const r = await h.api("POST", HOOKS, { token, body: hookBody(patch) });
    expect(r.status).toBe(400);
    expect(r.json.details.map((d: { fieldName: string }) => d.fieldName)).toEqual([field]);
  });

  it.each([
    ["retryCount 0", { deliveryPolicy: { retryCount: 0, retryInterval: 60 } }],
    ["retryCount 10", { deliveryPolicy: { retryCount: 10, retryInterval: 60 } }],
    ["retryInterval 1", { deliveryPolicy: { retryCount: 3, retryInterval: 1 } }],
    ["retryInterval 3600", { deliveryPolicy: { retryCount: 3, retryInterval: 3_600 } }],
    ["a 128-character name", { name: "w".repeat(128) }],
  ])("accepts %s, exactly at the limit", async (_what, patch) => {
    const r = await h.api("POST", HOOKS, { token, body: hookBody(patch) });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject(patch);
  });

  it("accepts a 1024-character secret, and fills in the source design's delivery policy when none is sent", async () => {
    const { deliveryPolicy: _omitted, ...body } = hookBody({ secret: "s".repeat(1_024) });
    const r = await h.api("POST", HOOKS, { token, body });
    expect(r.status, r.text).toBe(201);
    expect(r.json).toMatchObject({ hasSecret: true, deliveryPolicy: { retryCount: 3, retryInterval: 60 } });
  });

  it("accepts an http:// receiver on loopback", async () => {
    expect((await h.api("POST", HOOKS, { token, body: hookBody({ uri: "http://127.0.0.1:9/hook" }) })).status).toBe(201);
    expect((await h.api("POST", HOOKS, { token, body: hookBody({ name: "l", uri: "http://localhost:9/hook" }) })).status).toBe(201);
  });
});

function hmac(secret: string, timestamp: string, raw: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${raw}`).digest("hex")}`;
}

interface Attempt {
  id: string;
  webhookId: string;
  attempt: number;
  status?: number;
  error?: string;
  time: string;
}

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

  /** The delivery log once every delivery of the events so far has succeeded or given up. */
  async function settledLog(query = ""): Promise<Attempt[]> {
    await h.emu.deliveriesIdle();
    return (await h.admin("GET", `/deliveries${query}`)).json.deliveries;
  }

  it("signs each delivery with HMAC-SHA256 over timestamp.body and sends the contract's body", async () => {
    const secret = "lb-signing-secret";
    const webhookId = await hook({ secret });
    const brand = (await h.api("POST", BRANDS, { token, body: brandBody() })).json;
    const [d] = await rx.waitFor(1);
    const ts = d!.headers["x-genesys-timestamp"] as string;
    expect(ts).toMatch(/^\d+$/);
    // The expected signature is computed here from the contract's formula, not by the emulator's signer.
    expect(d!.headers["x-genesys-signature"]).toBe(hmac(secret, ts, d!.raw));
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
    const log = await settledLog();
    const ids = rx.received.map((d) => d.headers["x-genesys-delivery-id"]);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    expect(log.map((d) => [d.attempt, d.status])).toEqual([
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
    const log = await settledLog();
    expect(log.map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 500],
    ]);
    expect(rx.received).toHaveLength(2);
  });

  it("records a connection failure as an attempt with an error", async () => {
    const dead = new Receiver();
    await dead.start();
    const deadUrl = dead.url;
    await dead.close();
    await h.api("POST", HOOKS, { token, body: hookBody({ uri: deadUrl, deliveryPolicy: { retryCount: 0, retryInterval: 1 } }) });
    await h.api("POST", BRANDS, { token, body: brandBody() });
    const log = await settledLog();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ attempt: 1, error: expect.stringMatching(/ECONNREFUSED|fetch failed/) });
    expect(log[0]!.status).toBeUndefined();
  });

  it("only delivers events whose type and brandId match the filters", async () => {
    const a = (await h.api("POST", BRANDS, { token, body: brandBody() })).json;
    const b = (await h.api("POST", BRANDS, { token, body: brandBody() })).json;
    await hook({ eventFilters: [{ eventType: "webchat.brand.updated", brandId: a.id }] });
    await h.api("PUT", `${BRANDS}/${b.id}`, { token, body: { ...b, description: "b changed" } });
    await h.api("DELETE", `${BRANDS}/${b.id}`, { token });
    await h.api("PUT", `${BRANDS}/${a.id}`, { token, body: { ...a, description: "a changed" } });
    expect(await settledLog()).toHaveLength(1);
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0]!.body).toMatchObject({ eventType: "webchat.brand.updated", brand: { id: a.id } });
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
    expect(await settledLog()).toHaveLength(1);
    expect(rx.received.map((d) => d.body.eventType)).toEqual(["webchat.brand.deleted"]);
  });

  it("keeps deliveries to one webhook in event order, even across retries", async () => {
    rx.statuses = [500];
    await hook({ deliveryPolicy: { retryCount: 2, retryInterval: 5 } });
    const a = (await h.api("POST", BRANDS, { token, body: brandBody() })).json;
    for (let v = 1; v <= 3; v++) {
      await h.api("PUT", `${BRANDS}/${a.id}`, { token, body: { ...a, name: `${a.name} v${v + 1}`, version: v } });
    }
    await settledLog();
    const got = rx.received;
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

  it("answers the API call while the receiver still holds the delivery unanswered", async () => {
    rx.hold();
    await hook();
    // Were the response to wait for the delivery, this call would never return: the receiver answers nothing.
    const r = await h.api("POST", BRANDS, { token, body: brandBody() });
    expect(r.status).toBe(201);
    await rx.waitFor(1);
    expect((await h.admin("GET", "/deliveries")).json.deliveries).toEqual([]);
    rx.release();
    expect((await settledLog()).map((d) => d.status)).toEqual([200]);
  });

  it("filters the delivery log by webhookId", async () => {
    const first = await hook({ name: "first" });
    const second = await hook({ name: "second", eventFilters: [{ eventType: "webchat.brand.created" }] });
    await h.api("POST", BRANDS, { token, body: brandBody() });
    const all = await settledLog();
    expect(all.map((d) => d.webhookId).sort()).toEqual([first, second].sort());
    expect((await settledLog(`?webhookId=${first}`)).map((d) => d.webhookId)).toEqual([first]);
    expect((await settledLog(`?webhookId=${second}`)).map((d) => d.webhookId)).toEqual([second]);
    expect(await settledLog("?webhookId=00000000-0000-4000-8000-000000000000")).toEqual([]);
  });
});

describe("webhook retry timing, on a clock the test drives", () => {
  let h: Harness;
  let clock: ManualClock;
  let token: string;
  let rx: Receiver;
  beforeEach(async () => {
    clock = new ManualClock();
    // A scale of 0.5 shows the interval is multiplied, not merely present.
    h = await start({ rateLimit: { requests: 10_000, perSeconds: 60 }, webhookIntervalScale: 0.5, clock });
    token = await h.token();
    rx = await new Receiver().start();
  });
  afterEach(async () => {
    await rx.close();
    await h.close();
  });

  async function hook(overrides: Record<string, unknown>): Promise<string> {
    const r = await h.api("POST", HOOKS, { token, body: hookBody({ uri: rx.url, ...overrides }) });
    expect(r.status).toBe(201);
    return r.json.id;
  }

  it("waits retryInterval x webhookIntervalScale between attempts, each stamped with a fresh timestamp", async () => {
    rx.statuses = [500, 500];
    const secret = "timing-secret";
    await hook({ secret, deliveryPolicy: { retryCount: 2, retryInterval: 60 } });
    const t0 = clock.now();
    await h.api("POST", BRANDS, { token, body: brandBody() });

    await clock.waitForSleepers(1);
    expect(clock.waits).toEqual([30_000]);
    expect(rx.received).toHaveLength(1);
    clock.advance(29_999);
    expect(clock.pending).toBe(1); // one millisecond early, the retry still waits
    clock.advance(1);
    await clock.waitForSleepers(1);
    expect(rx.received).toHaveLength(2);
    clock.advance(30_000);
    await h.emu.deliveriesIdle();

    expect(clock.waits).toEqual([30_000, 30_000]);
    const stamps = rx.received.map((d) => d.headers["x-genesys-timestamp"]);
    expect(stamps).toEqual([t0, t0 + 30_000, t0 + 60_000].map((t) => String(t / 1000)));
    rx.received.forEach((d, i) => expect(d.headers["x-genesys-signature"]).toBe(hmac(secret, stamps[i] as string, d.raw)));
    const log: Attempt[] = (await h.admin("GET", "/deliveries")).json.deliveries;
    expect(log.map((d) => [d.attempt, d.status, d.time])).toEqual([
      [1, 500, new Date(t0).toISOString()],
      [2, 500, new Date(t0 + 30_000).toISOString()],
      [3, 200, new Date(t0 + 60_000).toISOString()],
    ]);
  });

  it("signs a retry with the secret current at that attempt, after a rotation", async () => {
    rx.statuses = [500];
    const id = await hook({ secret: "old-secret", deliveryPolicy: { retryCount: 1, retryInterval: 10 } });
    await h.api("POST", BRANDS, { token, body: brandBody() });
    await clock.waitForSleepers(1);
    const rotated = await h.api("PUT", `${HOOKS}/${id}`, {
      token,
      body: hookBody({ uri: rx.url, secret: "new-secret", deliveryPolicy: { retryCount: 1, retryInterval: 10 } }),
    });
    expect(rotated.status).toBe(200);
    clock.advance(5_000);
    await h.emu.deliveriesIdle();
    expect(rx.received).toHaveLength(2);
    const [first, retry] = rx.received.map((d) => ({
      signature: d.headers["x-genesys-signature"],
      timestamp: d.headers["x-genesys-timestamp"] as string,
      raw: d.raw,
    }));
    expect(first!.signature).toBe(hmac("old-secret", first!.timestamp, first!.raw));
    expect(retry!.signature).toBe(hmac("new-secret", retry!.timestamp, retry!.raw));
  });

  it("stops retrying for a webhook deleted while its retry waits", async () => {
    rx.statuses = [500];
    const id = await hook({ deliveryPolicy: { retryCount: 3, retryInterval: 10 } });
    await h.api("POST", BRANDS, { token, body: brandBody() });
    await clock.waitForSleepers(1);
    expect((await h.api("DELETE", `${HOOKS}/${id}`, { token })).status).toBe(204);
    clock.advance(5_000);
    await h.emu.deliveriesIdle();
    expect(rx.received).toHaveLength(1);
    expect(clock.waits).toEqual([5_000]);
    expect((await h.admin("GET", "/deliveries")).json.deliveries).toHaveLength(1);
  });
});
