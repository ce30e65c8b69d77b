/**
 * The provider's own outbound calls to a load balancer (enrolments and removals), against the
 * in-process emulator: they connect only to addresses the SSRF rules allow, judged at connection
 * time (a callback name that answers public for the check and 127.0.0.1 next is refused, and no
 * connection reaches a 127.0.0.1 listener), and a load balancer that is down fails the step after
 * exactly 5 attempts, naming the URL.
 *
 * The rebinding case stubs the system resolver (node:dns, both the promise and callback forms), so
 * the check and any connection that resolves the name itself see the same changing answers.
 */
import dns from "node:dns";
import * as net from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { startReceiver } from "../../lb-receiver/server";
import { createChannel } from "../../provider/resources/channel/lifecycle";
import { createWebhook, updateWebhook, type WebhookInputs } from "../../provider/resources/webhook/lifecycle";
import { systemResolver } from "../../provider/validation";
import { EmulatorAdmin } from "../support/admin";
import { auditLines, testContext } from "../support/provider-context";

const owner = { clientId: "outbound-client", clientSecret: "outbound-secret-5c1a" };
const webhookSecret = "outbound-signing-secret-e7b0";
const ADMIN = "outbound-admin";
const REBINDING_HOST = "lb.rebind.example.test";

let emulator: RunningEmulator;
let admin: EmulatorAdmin;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, data: ":memory:", clients: [owner], adminToken: ADMIN, quiet: true });
  admin = new EmulatorAdmin(emulator.url, ADMIN);
});
afterAll(async () => {
  await emulator?.close();
});
beforeEach(async () => admin.reset());

async function channel(name: string): Promise<string> {
  const { id } = await createChannel(testContext(emulator.url, owner, { webhookSecret }), {
    name,
    description: "",
    endpointUrl: "wss://chat.example.com/ws",
    allowedOrigins: ["https://www.example.com"],
    channelTypes: ["webmessaging"],
    settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50, tlsCertificateChain: [], healthCheckInterval: 300 },
  });
  return id;
}

const inputs = (brandId: string, callbackUrl: string, patch: Partial<WebhookInputs> = {}): WebhookInputs => ({
  name: "lb-sync",
  brandId,
  callbackUrl,
  eventTypes: ["webchat.brand.updated"],
  deliveryPolicy: { retryCount: 3, retryInterval: 60 },
  enabled: true,
  ...patch,
});

/** A TCP listener on 127.0.0.1 that counts connections and closes each at once (a load balancer that is down). */
async function countingListener(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A port on 127.0.0.1 that nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("DNS rebinding of a webhook callback", () => {
  const original = { lookup: dns.lookup, promised: dns.promises.lookup };
  let asked = 0;

  beforeEach(() => {
    asked = 0;
    // The first question about the host gets a public answer, every later one 127.0.0.1.
    const answer = () => (++asked === 1 ? "93.184.215.14" : "127.0.0.1");
    dns.promises.lookup = (async (host: string, opts?: dns.LookupOptions) => {
      if (host !== REBINDING_HOST) return original.promised(host, opts ?? {});
      const address = answer();
      return opts?.all ? [{ address, family: 4 }] : { address, family: 4 };
    }) as typeof dns.promises.lookup;
    dns.lookup = ((host: string, opts: unknown, callback?: unknown) => {
      const cb = (typeof opts === "function" ? opts : callback) as (...args: unknown[]) => void;
      const options = (typeof opts === "object" && opts !== null ? opts : {}) as dns.LookupOptions;
      if (host !== REBINDING_HOST) return original.lookup(host, options, cb as never);
      const address = answer();
      process.nextTick(() => (options.all ? cb(null, [{ address, family: 4 }]) : cb(null, address, 4)));
    }) as typeof dns.lookup;
  });
  afterEach(() => {
    dns.lookup = original.lookup;
    dns.promises.lookup = original.promised;
  });

  it("refuses the enrolment when the name answers public for the check and 127.0.0.1 next, and nothing reaches the loopback listener", async () => {
    const listener = await countingListener();
    try {
      const brandId = await channel("rebound");
      const ctx = testContext(emulator.url, owner, { webhookSecret, resolver: systemResolver });
      const callbackUrl = `https://${REBINDING_HOST}:${listener.port}/events`;
      const err = (await createWebhook(ctx, inputs(brandId, callbackUrl)).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toContain(`the enrolment of channel "rebound" was not sent to ${callbackUrl}`);
      expect(err.message).toContain(`host "${REBINDING_HOST}" resolves to 127.0.0.1, a loopback address`);
      expect(err.message).toContain("pulumi config set genesys:allowPrivateNetworks true");
      expect(asked).toBeGreaterThanOrEqual(2);
      expect(listener.connections()).toBe(0);
    } finally {
      await listener.close();
    }
  });

  it("with allowPrivateNetworks, connects to the loopback answer on every attempt", async () => {
    const listener = await countingListener();
    try {
      const brandId = await channel("rebound");
      const ctx = testContext(emulator.url, owner, { webhookSecret, allowPrivateNetworks: true, resolver: systemResolver });
      const callbackUrl = `https://${REBINDING_HOST}:${listener.port}/events`;
      const err = (await createWebhook(ctx, inputs(brandId, callbackUrl)).catch((e: unknown) => e)) as Error;
      // The listener closes every connection, so the delivery fails as a down load balancer does, not as a refusal.
      expect(err.message).toContain(`the load balancer at ${callbackUrl} did not accept the enrolment of channel "rebound" (ECONNRESET)`);
      expect(listener.connections()).toBe(5);
    } finally {
      await listener.close();
    }
  });

  it("with allowPrivateNetworks, delivers to a localhost callback", async () => {
    const receiver = await startReceiver({ secret: webhookSecret });
    try {
      const brandId = await channel("rebound");
      const ctx = testContext(emulator.url, owner, { webhookSecret, allowPrivateNetworks: true, resolver: systemResolver });
      // The receiver speaks plain http, which a callback may use only to localhost: the name is localhost's.
      const { outs } = await createWebhook(ctx, inputs(brandId, receiver.url.replace("127.0.0.1", "localhost") + "/events"));
      expect(outs.enrolled).toBe(true);
      expect(receiver.pool().map((m) => m.brandId)).toEqual([brandId]);
    } finally {
      await receiver.close();
    }
  });
});

describe("a load balancer that is down", () => {
  it("fails the create after exactly 5 attempts, naming the URL, and leaves no webhook", async () => {
    const listener = await countingListener();
    try {
      const brandId = await channel("down");
      const ctx = testContext(emulator.url, owner, { webhookSecret, allowPrivateNetworks: true });
      const callbackUrl = `http://127.0.0.1:${listener.port}/events`;
      const err = (await createWebhook(ctx, inputs(brandId, callbackUrl)).catch((e: unknown) => e)) as Error;
      expect(err.message).toContain(`the load balancer at ${callbackUrl} did not accept the enrolment of channel "down" (ECONNRESET)`);
      expect(listener.connections()).toBe(5);
      const requests = await admin.requests();
      expect(requests.filter((r) => r.method === "DELETE" && r.path.startsWith("/api/v2/webhooks/webhooks/"))).toHaveLength(1);
    } finally {
      await listener.close();
    }
  });

  it("fails the update that moves a webhook to it after exactly 5 attempts", async () => {
    const receiver = await startReceiver({ secret: webhookSecret });
    const listener = await countingListener();
    try {
      const brandId = await channel("down");
      const ctx = testContext(emulator.url, owner, { webhookSecret, allowPrivateNetworks: true });
      const { id, outs } = await createWebhook(ctx, inputs(brandId, `${receiver.url}/events`));
      const callbackUrl = `http://127.0.0.1:${listener.port}/events`;
      const err = (await updateWebhook(ctx, id, outs as unknown as Record<string, unknown>, inputs(brandId, callbackUrl)).catch(
        (e: unknown) => e,
      )) as Error;
      expect(err.message).toContain(`the load balancer at ${callbackUrl} did not accept the enrolment of channel "down" (ECONNRESET)`);
      expect(listener.connections()).toBe(5);
    } finally {
      await listener.close();
      await receiver.close();
    }
  });

  it("that refuses connections fails the create naming the URL, with the 5 attempts in the audit record", async () => {
    const brandId = await channel("refusing");
    const ctx = testContext(emulator.url, owner, { webhookSecret, allowPrivateNetworks: true });
    const waits: number[] = [];
    ctx.sleep = async (ms) => {
      waits.push(ms);
    };
    const callbackUrl = `http://127.0.0.1:${await closedPort()}/events`;
    const err = (await createWebhook(ctx, inputs(brandId, callbackUrl)).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(`the load balancer at ${callbackUrl} did not accept the enrolment of channel "refusing" (ECONNREFUSED)`);
    const failed = auditLines(ctx.auditDir).filter((r) => r.action === "create" && r.outcome === "failure");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toContain(callbackUrl);
    // The create's API calls (GET brand, POST webhook, GET brand, DELETE webhook) plus the 5 deliveries.
    expect(failed[0]!.attempts).toBe(4 + 5);
    // A few seconds apart, as before the delivery went through the transport: 0.25, 0.5, 1 and 2 s.
    expect(waits).toEqual([250, 500, 1_000, 2_000]);
  });
});
