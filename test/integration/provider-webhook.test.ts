/**
 * LoadBalancerWebhook against the in-process emulator and the reference receiver.
 * Create with a lost answer: after a reset that follows the commit, and after a create whose CLI
 * was killed (the webhook exists, the state does not know it). Either way exactly one webhook
 * remains, and a same-named webhook that follows another channel is never taken over.
 * The pool invariant: on every path that changes what a webhook follows or where it delivers, the
 * load balancer ends with exactly the channels enabled webhooks follow.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { createChannel } from "../../provider/resources/channel/lifecycle";
import {
  checkWebhook,
  createWebhook,
  deleteWebhook,
  diffWebhook,
  readWebhook,
  updateWebhook,
  type WebhookInputs,
} from "../../provider/resources/webhook/lifecycle";
import { EmulatorAdmin } from "../support/admin";
import { apiClient } from "../support/genesys";
import { testContext } from "../support/provider-context";

const owner = { clientId: "webhook-client", clientSecret: "webhook-secret-3f9e" };
const webhookSecret = "webhook-signing-secret-7d21";
const ADMIN = "webhook-admin";

let emulator: RunningEmulator;
let admin: EmulatorAdmin;
let receiver: RunningReceiver;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, data: ":memory:", clients: [owner], adminToken: ADMIN, quiet: true });
  admin = new EmulatorAdmin(emulator.url, ADMIN);
  receiver = await startReceiver({ secret: webhookSecret });
});
afterAll(async () => {
  await receiver?.close();
  await emulator?.close();
});
beforeEach(async () => admin.reset());

const context = () => testContext(emulator.url, owner, { webhookSecret, allowPrivateNetworks: true });

async function channel(name: string, ctx = context()): Promise<string> {
  const { id } = await createChannel(ctx, {
    name,
    description: "",
    endpointUrl: "wss://chat.example.com/ws",
    allowedOrigins: ["https://www.example.com"],
    channelTypes: ["webmessaging"],
    settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50, tlsCertificateChain: [], healthCheckInterval: 300 },
  });
  return id;
}

const inputs = (brandId: string, patch: Partial<WebhookInputs> = {}): WebhookInputs => ({
  name: "lb-sync-north",
  brandId,
  callbackUrl: `${receiver.url}/events`,
  eventTypes: ["webchat.brand.created", "webchat.brand.deleted", "webchat.brand.updated"],
  deliveryPolicy: { retryCount: 3, retryInterval: 60 },
  enabled: true,
  ...patch,
});

async function webhooks(): Promise<{ id: string; name: string; uri: string; hasSecret: boolean }[]> {
  const res = await apiClient(emulator.url, owner.clientId, owner.clientSecret).transport.request<{
    entities: { id: string; name: string; uri: string; hasSecret: boolean }[];
  }>({
    operation: "list webhooks",
    method: "GET",
    path: "/api/v2/webhooks/webhooks",
  });
  return res.data.entities;
}

describe("LoadBalancerWebhook create with a lost answer", () => {
  it("adopts the webhook its POST created when the connection is reset after the server committed", async () => {
    const brandId = await channel("north");
    await admin.fault({ method: "POST", path: "/api/v2/webhooks/webhooks", reset: true, afterHandler: true, count: 1 });
    const { id } = await createWebhook(context(), inputs(brandId));
    const hooks = await webhooks();
    expect(hooks.map((h) => h.id)).toEqual([id]);
    expect(receiver.pool().map((m) => m.brandId)).toContain(brandId);
  });

  it("adopts a same-named webhook for the same channel left by a killed create, and writes the declared definition and secret", async () => {
    const brandId = await channel("north");
    // What a create whose CLI died leaves behind: the webhook exists (here without the secret), the state has nothing.
    const left = await apiClient(emulator.url, owner.clientId, owner.clientSecret).webhooks.create({
      name: "lb-sync-north",
      uri: "http://127.0.0.1:9/stale",
      eventFilters: [{ eventType: "webchat.brand.updated", brandId }],
      type: "rest",
      enabled: true,
      deliveryPolicy: { retryCount: 3, retryInterval: 60 },
    });
    const { id, outs } = await createWebhook(context(), inputs(brandId));
    expect(id).toBe(left.webhook.id);
    expect(outs).toMatchObject({ callbackUrl: `${receiver.url}/events`, signed: true });
    expect((await webhooks()).map((h) => [h.id, h.uri, h.hasSecret])).toEqual([[id, `${receiver.url}/events`, true]]);
  });

  it("refuses to take over a same-named webhook that follows another channel", async () => {
    const mine = await channel("north");
    const theirs = await channel("south");
    await createWebhook(context(), inputs(theirs));
    const err = await createWebhook(context(), inputs(mine)).catch((e: Error) => e);
    const [theirHook] = await webhooks();
    expect(String(err)).toContain(
      `a webhook named "lb-sync-north" already exists (${theirHook!.id}) and differs from this definition in brandId; ` +
        `choose another name, or delete webhook ${theirHook!.id} first`,
    );
    expect((await webhooks()).length).toBe(1);
  });
});

async function poolIds(r: RunningReceiver): Promise<string[]> {
  const res = await fetch(`${r.url}/pool`);
  return ((await res.json()) as { members: { brandId: string }[] }).members.map((m) => m.brandId).sort();
}

/** Waits for the receiver to reach a pool (platform deliveries arrive asynchronously). */
async function eventuallyPool(r: RunningReceiver, expected: string[], timeoutMs = 20_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let last = await poolIds(r);
  while (JSON.stringify(last) !== JSON.stringify([...expected].sort()) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await poolIds(r);
  }
  return last;
}

describe("LoadBalancerWebhook keeps the load balancer's pool equal to what it follows", () => {
  const extra: RunningReceiver[] = [];
  const another = async (opts: Parameters<typeof startReceiver>[0] = { secret: webhookSecret }) => {
    const r = await startReceiver(opts);
    extra.push(r);
    return r;
  };
  afterEach(async () => {
    for (const r of extra.splice(0)) await r.close();
  });
  const brandsApi = () => apiClient(emulator.url, owner.clientId, owner.clientSecret).brands;

  it("enrols the channel at create, as an enrolment from that webhook", async () => {
    const lb = await another();
    const brandId = await channel("north");
    const { id, outs } = await createWebhook(context(), inputs(brandId, { callbackUrl: `${lb.url}/events` }));
    expect(outs.enrolled).toBe(true);
    expect(lb.pool().map((m) => [m.brandId, m.lastSource, m.followers])).toEqual([[brandId, "enrolment", [id]]]);
  });

  it("moved to another channel, removes the old channel from the pool and enrols the new one", async () => {
    const lb = await another();
    const north = await channel("north");
    const south = await channel("south");
    const before = inputs(north, { callbackUrl: `${lb.url}/events` });
    const { id, outs } = await createWebhook(context(), before);
    const after = { ...before, brandId: south };
    expect(diffWebhook(outs as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>).changes).toBe(true);
    await updateWebhook(context(), id, outs as unknown as Record<string, unknown>, after);
    expect(await poolIds(lb)).toEqual([south]);
  });

  it("moved to another load balancer, sends the removal to the old one and the channel to the new one", async () => {
    const first = await another();
    const second = await another();
    const brandId = await channel("north");
    const { id, outs } = await createWebhook(context(), inputs(brandId, { callbackUrl: `${first.url}/events` }));
    await updateWebhook(
      context(),
      id,
      outs as unknown as Record<string, unknown>,
      inputs(brandId, { callbackUrl: `${second.url}/events` }),
    );
    expect(await poolIds(first)).toEqual([]);
    expect(await poolIds(second)).toEqual([brandId]);
    // Later changes reach only the new one.
    const brand = (await brandsApi().get(brandId))!;
    await brandsApi().update(brandId, { ...brand, endpointUrl: "wss://chat.example.com/v2" }, brand.version);
    const deadline = Date.now() + 20_000;
    while (second.pool()[0]?.endpointUrl !== "wss://chat.example.com/v2" && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(second.pool().map((m) => m.endpointUrl)).toEqual(["wss://chat.example.com/v2"]);
    expect(first.pool()).toEqual([]);
  });

  it("disabled, takes the channel out of the pool; enabled again, puts it back", async () => {
    const lb = await another();
    const brandId = await channel("north");
    const declared = inputs(brandId, { callbackUrl: `${lb.url}/events` });
    const { id, outs } = await createWebhook(context(), declared);
    const disabled = await updateWebhook(context(), id, outs as unknown as Record<string, unknown>, { ...declared, enabled: false });
    expect(disabled.outs.enrolled).toBe(false);
    expect(await poolIds(lb)).toEqual([]);
    const enabled = await updateWebhook(context(), id, disabled.outs as unknown as Record<string, unknown>, declared);
    expect(enabled.outs.enrolled).toBe(true);
    expect(await poolIds(lb)).toEqual([brandId]);
  });

  it("created disabled, sends nothing and reports enrolled false; deleted while disabled, sends nothing either", async () => {
    const lb = await another();
    const brandId = await channel("north");
    const { id, outs } = await createWebhook(context(), inputs(brandId, { callbackUrl: `${lb.url}/events`, enabled: false }));
    expect(outs.enrolled).toBe(false);
    await lb.close();
    // The load balancer is down: a delete that tried to reach it would fail.
    await deleteWebhook(context(), id, outs as unknown as Record<string, unknown>);
    expect(await webhooks()).toEqual([]);
  });

  it("deleted, sends the removal so the channel leaves the pool", async () => {
    const lb = await another();
    const brandId = await channel("north");
    const { id, outs } = await createWebhook(context(), inputs(brandId, { callbackUrl: `${lb.url}/events` }));
    await deleteWebhook(context(), id, outs as unknown as Record<string, unknown>);
    expect(await poolIds(lb)).toEqual([]);
  });

  it("after its channel is deleted out of band, a refresh reports enrolled false, and the update to the recreated channel enrols it", async () => {
    const lb = await another();
    const oldId = await channel("north");
    const declared = inputs(oldId, { callbackUrl: `${lb.url}/events` });
    const { id, outs } = await createWebhook(context(), declared);
    const unchanged = await readWebhook(context(), id, outs as unknown as Record<string, unknown>);
    expect(unchanged.props).toEqual(outs);
    await brandsApi().delete(oldId);
    expect(await eventuallyPool(lb, [])).toEqual([]);
    const refreshed = await readWebhook(context(), id, outs as unknown as Record<string, unknown>);
    expect(refreshed.props).toEqual({ ...outs, enrolled: false });
    const olds = refreshed.props as unknown as Record<string, unknown>;
    // Even a program that still names the deleted channel sees a change, and the update says why it cannot enrol.
    expect(diffWebhook(olds, declared as unknown as Record<string, unknown>).changes).toBe(true);
    await expect(updateWebhook(context(), id, olds, declared)).rejects.toThrow(`channel ${oldId} does not exist`);
    const newId = await channel("north");
    await updateWebhook(context(), id, olds, { ...declared, brandId: newId });
    expect(await poolIds(lb)).toEqual([newId]);
  });

  it("after its webhook was pointed elsewhere out of band, a refresh shows the live callback and enrolled false", async () => {
    const lb = await another();
    const brandId = await channel("north");
    const { id, outs } = await createWebhook(context(), inputs(brandId, { callbackUrl: `${lb.url}/events` }));
    const client = apiClient(emulator.url, owner.clientId, owner.clientSecret).webhooks;
    const live = (await client.get(id))!;
    await client.update(id, { ...live, uri: "http://127.0.0.1:9/elsewhere", type: "rest" });
    const refreshed = await readWebhook(context(), id, outs as unknown as Record<string, unknown>);
    expect(refreshed.props).toMatchObject({ callbackUrl: "http://127.0.0.1:9/elsewhere", enrolled: false });
    expect(refreshed.inputs).toMatchObject({ callbackUrl: "http://127.0.0.1:9/elsewhere" });
  });

  it("imported (read with no state), reports enrolled true, so its diff against the read inputs is empty", async () => {
    const lb = await another();
    const brandId = await channel("north");
    const { id, outs } = await createWebhook(context(), inputs(brandId, { callbackUrl: `${lb.url}/events` }));
    const imported = await readWebhook(context(), id, {});
    expect(imported.props).toEqual(outs);
    const olds = imported.props as unknown as Record<string, unknown>;
    expect(diffWebhook(olds, imported.inputs as unknown as Record<string, unknown>).changes).toBe(false);
  });

  it("created minutes after its channel by the same provider process, does not read the channel again to check it exists", async () => {
    const lb = await another();
    const ctx = context();
    // In one stack of 1,000 channels the engine reaches a channel's webhook minutes after the channel:
    // the channel is created on a clock 10 minutes behind, the webhook now (its enrolment is signed
    // with the time, so the webhook's side needs the real clock).
    const earlier = Date.now() - 10 * 60_000;
    const clock = vi.spyOn(Date, "now").mockImplementation(() => earlier);
    let brandId: string;
    try {
      brandId = await channel("north", ctx);
    } finally {
      clock.mockRestore();
    }
    const plainReads = async () =>
      (await admin.requests()).filter((r) => r.method === "GET" && r.path === `/api/v2/webchat/brands/${brandId}`).length;
    const before = await plainReads();
    const { outs } = await createWebhook(ctx, inputs(brandId, { callbackUrl: `${lb.url}/events` }));
    expect(outs.enrolled).toBe(true);
    // The one plain read left is the enrolment's, made after the webhook already delivers.
    expect((await plainReads()) - before).toBe(1);
  });

  it("refuses an update to a channel that does not exist before changing the webhook", async () => {
    const lb = await another();
    const brandId = await channel("north");
    const { id, outs } = await createWebhook(context(), inputs(brandId, { callbackUrl: `${lb.url}/events` }));
    const missing = "00000000-0000-4000-8000-000000000000";
    await expect(
      updateWebhook(context(), id, outs as unknown as Record<string, unknown>, inputs(missing, { callbackUrl: `${lb.url}/events` })),
    ).rejects.toThrow(`channel ${missing} does not exist; pass the brandId of an existing channel`);
    expect((await webhooks()).map((h) => h.id)).toEqual([id]);
    expect(await poolIds(lb)).toEqual([brandId]);
  });

  it("without genesys:webhookSecret, deliveries are unsigned and the output signed is false", async () => {
    const lb = await another({ allowUnsigned: true });
    const brandId = await channel("north");
    const ctx = testContext(emulator.url, owner, { allowPrivateNetworks: true });
    const { outs } = await createWebhook(ctx, inputs(brandId, { callbackUrl: `${lb.url}/events` }));
    expect(outs.signed).toBe(false);
    expect((await webhooks()).map((h) => h.hasSecret)).toEqual([false]);
    expect(await poolIds(lb)).toEqual([brandId]);
    // A receiver that insists on signatures refuses them, and the create says what to check.
    const strict = await another();
    const other = await channel("south");
    const err = await createWebhook(ctx, inputs(other, { name: "lb-sync-south", callbackUrl: `${strict.url}/events` })).catch(
      (e: Error) => e,
    );
    expect(String(err)).toContain(
      `the load balancer at ${strict.url}/events did not accept the enrolment of channel "south" (HTTP 401); check that it is running and shares genesys:webhookSecret`,
    );
    expect((await webhooks()).map((h) => h.name)).toEqual(["lb-sync-north"]);
  });
});

describe("LoadBalancerWebhook adoptExistingId", () => {
  const extra: RunningReceiver[] = [];
  afterEach(async () => {
    for (const r of extra.splice(0)) await r.close();
  });
  const api = () => apiClient(emulator.url, owner.clientId, owner.clientSecret).webhooks;
  const webhookWrites = async () =>
    (await admin.requests())
      .filter((r) => r.method !== "GET" && r.path.startsWith("/api/v2/webhooks/"))
      .map((r) => `${r.method} ${r.path}`);

  /** A webhook made outside the stack (the Genesys UI), signed with the stack's secret. */
  async function existing(brandId: string, callbackUrl: string, patch: Partial<WebhookInputs> = {}) {
    const declared = inputs(brandId, { callbackUrl, ...patch });
    const { webhook } = await api().create({
      name: declared.name,
      uri: declared.callbackUrl,
      eventFilters: declared.eventTypes.map((eventType) => ({ eventType, brandId })),
      type: "rest",
      enabled: declared.enabled,
      deliveryPolicy: declared.deliveryPolicy,
      secret: webhookSecret,
    });
    return webhook;
  }

  it("adopts a webhook equal to the declaration with no write and sends nothing to its load balancer", async () => {
    const lb = await startReceiver({ secret: webhookSecret });
    extra.push(lb);
    const brandId = await channel("north");
    const callbackUrl = `${lb.url}/events`;
    // Filters listed in another order than declared are the same filters.
    const hook = await existing(brandId, callbackUrl, {
      eventTypes: ["webchat.brand.updated", "webchat.brand.deleted", "webchat.brand.created"],
    });
    await admin.clearRequests();
    const { id, outs } = await createWebhook(context(), { ...inputs(brandId, { callbackUrl }), adoptExistingId: hook.id });
    expect(id).toBe(hook.id);
    expect(await webhookWrites()).toEqual([]);
    // Any enrolment would have put the channel in the pool.
    expect(lb.pool()).toEqual([]);
    expect(outs).toMatchObject({ webhookId: hook.id, adoptExistingId: hook.id, signed: true, enrolled: true, callbackUrl });
    // A refresh keeps adoptExistingId, so the program that declares it shows no change.
    const refreshed = await readWebhook(context(), id, outs as unknown as Record<string, unknown>);
    expect(refreshed.props).toEqual(outs);
  });

  it("adopts a webhook that differs in one field with exactly one PUT, then enrols its channel", async () => {
    const lb = await startReceiver({ secret: webhookSecret });
    extra.push(lb);
    const brandId = await channel("north");
    const callbackUrl = `${lb.url}/events`;
    const hook = await existing(brandId, callbackUrl, { deliveryPolicy: { retryCount: 5, retryInterval: 60 } });
    await admin.clearRequests();
    const { outs } = await createWebhook(context(), { ...inputs(brandId, { callbackUrl }), adoptExistingId: hook.id });
    expect(await webhookWrites()).toEqual([`PUT /api/v2/webhooks/webhooks/${hook.id}`]);
    expect((await api().get(hook.id))?.deliveryPolicy).toEqual({ retryCount: 3, retryInterval: 60 });
    expect(outs).toMatchObject({ deliveryPolicy: { retryCount: 3, retryInterval: 60 }, signed: true, enrolled: true });
    expect(lb.pool().map((m) => [m.brandId, m.lastSource, m.followers])).toEqual([[brandId, "enrolment", [hook.id]]]);
  });

  it("refuses an id that does not exist, naming the id and the field, and creates nothing", async () => {
    const brandId = await channel("north");
    const missing = "00000000-0000-4000-8000-00000000beef";
    await expect(createWebhook(context(), { ...inputs(brandId), adoptExistingId: missing })).rejects.toThrow(
      `adoptExistingId: webhook ${missing} does not exist; remove adoptExistingId to create a new webhook`,
    );
    expect(await webhooks()).toEqual([]);
  });

  it("puts the webhook back as found when the load balancer refuses the enrolment after the PUT, and never deletes it", async () => {
    const lb = await startReceiver({ secret: "another-secret" });
    extra.push(lb);
    const brandId = await channel("north");
    const callbackUrl = `${lb.url}/events`;
    const hook = await existing(brandId, callbackUrl, { enabled: true, deliveryPolicy: { retryCount: 5, retryInterval: 60 } });
    const err = (await createWebhook(context(), { ...inputs(brandId, { callbackUrl }), adoptExistingId: hook.id }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toContain(`webhook ${hook.id} was put back as it was found, so the next \`pulumi up\` adopts it again`);
    expect(err.cause).toBeInstanceOf(Error);
    expect((await api().get(hook.id))?.deliveryPolicy).toEqual({ retryCount: 5, retryInterval: 60 });
  });

  it("check accepts adoptExistingId and keeps it in the inputs", async () => {
    const { inputs: checked, failures } = await checkWebhook(context(), { ...inputs("b1"), adoptExistingId: "w-1" });
    expect(failures).toEqual([]);
    expect(checked.adoptExistingId).toBe("w-1");
  });
});

interface WebhookCase {
  name: string;
  definition: Record<string, unknown>;
  expect: { path: string; message: string }[];
}

describe("LoadBalancerWebhook check", () => {
  const check = (news: Record<string, unknown>) => checkWebhook(context(), news);
  const valid = { name: "lb", brandId: "b1", callbackUrl: "https://lb.example.com/sync" };

  it("fills the defaults: all three event types (sorted), 3 retries 60 s apart, enabled", async () => {
    expect(await check(valid)).toEqual({
      inputs: {
        ...valid,
        eventTypes: ["webchat.brand.created", "webchat.brand.deleted", "webchat.brand.updated"],
        deliveryPolicy: { retryCount: 3, retryInterval: 60 },
        enabled: true,
      },
      failures: [],
    });
  });

  it("accepts a brandId not known yet (preview of a new channel) and keeps it unknown", async () => {
    const { inputs: checked, failures } = await check({ ...valid, brandId: undefined });
    expect(failures).toEqual([]);
    expect(checked.brandId).toBeUndefined();
  });

  const corpusDir = path.join(__dirname, "..", "fixtures", "invalid-webhooks");
  const corpus = fs
    .readdirSync(corpusDir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => ({ file: f, ...(JSON.parse(fs.readFileSync(path.join(corpusDir, f), "utf8")) as WebhookCase) }));

  it("has a case for every rule", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(20);
  });

  it.each(corpus)("refuses $file ($name) with exactly its issue", async (c) => {
    const { failures } = await check(c.definition);
    expect(failures).toEqual(c.expect.map((e) => ({ property: e.path, reason: e.message })));
  });

  it("reports every failure at once, in declaration order", async () => {
    const { failures } = await check({ ...valid, name: "", callbackUrl: "ftp://user@lb.example.com/", eventTypes: [], enabled: 1 });
    expect(failures).toEqual([
      { property: "name", reason: "must be a string of 1 to 128 characters" },
      { property: "callbackUrl", reason: "must use https (http only to localhost); got ftp:" },
      { property: "callbackUrl", reason: "must not carry credentials; the webhook secret signs deliveries instead" },
      { property: "eventTypes", reason: "must be a non-empty list of webchat.brand.created, webchat.brand.updated, webchat.brand.deleted" },
      { property: "enabled", reason: "must be true or false" },
    ]);
  });

  it("ignores Pulumi's own __ keys, treats null as not set, and sorts the event types", async () => {
    const { inputs: checked, failures } = await check({
      ...valid,
      __provider: "serialised provider",
      deliveryPolicy: null,
      enabled: null,
      eventTypes: ["webchat.brand.updated", "webchat.brand.created"],
    });
    expect(failures).toEqual([]);
    expect(checked).toMatchObject({
      deliveryPolicy: { retryCount: 3, retryInterval: 60 },
      enabled: true,
      eventTypes: ["webchat.brand.created", "webchat.brand.updated"],
    });
  });

  it("accepts the limits themselves and http to localhost", async () => {
    const edge = {
      ...valid,
      name: "x".repeat(128),
      callbackUrl: "http://localhost:8788/events",
      deliveryPolicy: { retryCount: 10, retryInterval: 3600 },
    };
    expect((await check(edge)).failures).toEqual([]);
    expect((await check({ ...valid, deliveryPolicy: { retryCount: 0, retryInterval: 1 } })).failures).toEqual([]);
  });
});
