/**
 * The provider as another team consumes it: `npm pack`, installed from the tarball into a Pulumi
 * project outside this checkout, compiled against the package's types and run through the real
 * CLI against an in-process emulator and load balancer receiver.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { repoRoot } from "../../scripts/pulumi-env";
import { ConsumerProject, packProvider } from "../support/consumer-project";
import { apiClient, listBrands } from "../support/genesys";

const clientId = "consumer-client";
const clientSecret = `consumer-secret-${randomBytes(8).toString("hex")}`;
const webhookSecret = `consumer-hook-${randomBytes(8).toString("hex")}`;

// Written the way a consuming team would: only the package's public entry point, typed.
const program = `
import * as pulumi from "@pulumi/pulumi";
import { LoadBalancerWebhook, WebMessagingChannel, type WebMessagingChannelArgs } from "genesys-webmessaging-pulumi";

const config = new pulumi.Config();
const channel = (name: string, path: string): WebMessagingChannelArgs => ({
  name,
  endpointUrl: "wss://localhost:9443/" + path,
  allowedOrigins: ["https://" + path + ".consumer.example.com"],
  channelTypes: ["webmessaging"],
  settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50 },
});

const orders = new WebMessagingChannel("orders", channel("Consumer Orders", "orders"));
const returns = new WebMessagingChannel("returns", channel("Consumer Returns", "returns"));
const ordersLb = new LoadBalancerWebhook("orders-lb", {
  name: "consumer-lb-orders",
  brandId: orders.brandId,
  callbackUrl: config.require("callbackUrl"),
});

export const brandIds = { orders: orders.brandId, returns: returns.brandId };
export const webhookId = ordersLb.webhookId;
`;

interface Webhook {
  id: string;
  name: string;
  uri: string;
}

async function listWebhooks(apiUrl: string): Promise<Webhook[]> {
  const res = await apiClient(apiUrl, clientId, clientSecret).transport.request<{ entities: Webhook[] }>({
    operation: "list webhooks",
    method: "GET",
    path: "/api/v2/webhooks/webhooks",
    query: { pageSize: 500, pageNumber: 1 },
  });
  return res.data.entities;
}

describe("the packed provider used from another Pulumi project", () => {
  let packDir: string;
  let tarball: string;
  let emulator: RunningEmulator;
  let receiver: RunningReceiver;
  let consumer: ConsumerProject;

  beforeAll(async () => {
    packDir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-pack-"));
    [emulator, receiver, tarball] = await Promise.all([
      startEmulator({ port: 0, data: ":memory:", clients: [{ clientId, clientSecret }], quiet: true }),
      startReceiver({ port: 0, secret: webhookSecret }),
      packProvider(packDir),
    ]);
    consumer = ConsumerProject.scaffold({ tarball, program });
  });

  afterAll(async () => {
    consumer?.cleanup();
    if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
    await receiver?.close();
    await emulator?.close();
  });

  it("the tarball holds the built provider with its declarations and nothing from tests, emulator or state", () => {
    const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n");
    for (const needed of [
      "package/package.json",
      "package/dist/provider/index.js",
      "package/dist/provider/index.d.ts",
      "package/dist/provider/runtime/index.js",
      "package/dist/provider/runtime/index.d.ts",
      "package/dist/provider/resources/loader.js",
    ]) {
      expect(files).toContain(needed);
    }
    const stray = files.filter((f) => !/^package\/(package\.json|README\.md|LICENSE|dist\/provider\/.+\.(js|d\.ts))$/.test(f));
    expect(stray).toEqual([]);
  });

  it("installs from the tarball into its own node_modules without the emulator's native dependencies", async () => {
    expect(consumer.dir.startsWith(repoRoot() + path.sep)).toBe(false);
    const install = await consumer.install();
    expect(install.code, install.stdout + install.stderr).toBe(0);

    const installed = path.join(consumer.dir, "node_modules", "genesys-webmessaging-pulumi");
    // A directory install (file:../checkout) would be a symlink back into the repo.
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
    const consumerRequire = createRequire(path.join(consumer.dir, "package.json"));
    for (const specifier of ["genesys-webmessaging-pulumi", "genesys-webmessaging-pulumi/runtime"]) {
      const resolved = consumerRequire.resolve(specifier);
      expect(resolved.startsWith(installed + path.sep), resolved).toBe(true);
    }
    expect(fs.existsSync(path.join(consumer.dir, "node_modules", "better-sqlite3"))).toBe(false);
    expect(fs.existsSync(path.join(consumer.dir, "node_modules", "fastify"))).toBe(false);
  });

  it("a TypeScript program type-checks against the package's declarations and compiles", async () => {
    const tsc = await consumer.compile();
    expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
    expect(fs.existsSync(path.join(consumer.dir, "index.js"))).toBe(true);
  });

  it("pulumi up creates both channels and the webhook, and the load balancer receives the enrolment", async () => {
    await consumer.initStack(
      {
        "genesys:apiUrl": emulator.url,
        "genesys:clientId": clientId,
        "genesys:allowPrivateNetworks": "true",
        "genesys:auditDir": path.join(consumer.dir, "audit"),
        "gwm-consumer:callbackUrl": `${receiver.url}/events`,
      },
      { "genesys:clientSecret": clientSecret, "genesys:webhookSecret": webhookSecret },
    );
    const up = await consumer.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);

    const brands = await listBrands(emulator.url, clientId, clientSecret);
    expect(brands.map((b) => b.name).sort()).toEqual(["Consumer Orders", "Consumer Returns"]);
    const outputs = await consumer.outputs();
    const orders = brands.find((b) => b.name === "Consumer Orders")!;
    expect(outputs.brandIds.orders).toBe(orders.id);

    const hooks = await listWebhooks(emulator.url);
    expect(hooks.map((h) => ({ id: h.id, name: h.name, uri: h.uri }))).toEqual([
      { id: outputs.webhookId, name: "consumer-lb-orders", uri: `${receiver.url}/events` },
    ]);
    expect(receiver.pool().map((m) => m.brandId)).toEqual([orders.id]);
  });

  it("the state's serialized providers load the runtime from the consumer's node_modules, not from this checkout", async () => {
    const providers = (await consumer.deployment()).resources
      .map((r) => r.outputs?.__provider)
      .filter((p): p is string => typeof p === "string");
    expect(providers.length).toBe(3);
    for (const code of providers) {
      // Loaded through node_modules, each provider is serialised as one require of its export.
      expect(code).toMatch(/require\("genesys-webmessaging-pulumi\/providers\/(channel|webhook)"\)/);
      expect(code).not.toContain(repoRoot());
      expect(code.length).toBeLessThan(400);
    }
  });

  it("pulumi destroy removes the channels, the webhook and the load balancer's pool member", async () => {
    const destroy = await consumer.destroy();
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    expect(await listBrands(emulator.url, clientId, clientSecret)).toEqual([]);
    expect(await listWebhooks(emulator.url)).toEqual([]);
    expect(receiver.pool()).toEqual([]);
  });
});
