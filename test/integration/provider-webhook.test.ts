/**
 * LoadBalancerWebhook's create against the in-process emulator when an earlier create's answer
 * was lost: after a reset that follows the commit, and after a create whose CLI was killed (the
 * webhook exists, the state does not know it). Either way exactly one webhook remains, and a
 * same-named webhook that follows another channel is never taken over.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { createChannel } from "../../provider/runtime/channel";
import { createWebhook, type WebhookInputs } from "../../provider/runtime/webhook";
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

async function channel(name: string): Promise<string> {
  const { id } = await createChannel(context(), {
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
    expect(String(err)).toMatch(/already exists .* does not follow channel/);
    expect((await webhooks()).length).toBe(1);
  });
});
