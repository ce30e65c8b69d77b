/**
 * A real load balancer in sync through the real CLI: `pulumi up` -> emulator -> signed deliveries
 * -> the reference receiver -> HAProxy's Runtime API -> requests through HAProxy's frontend reach
 * exactly the declared channels' TLS endpoints, each of which answers with its own name.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { BalancerSync } from "../../lb-receiver/balancer-sync";
import { HaproxyDriver } from "../../lb-receiver/drivers/haproxy";
import { runtimeCommand } from "../../lb-receiver/drivers/haproxy-runtime";
import { type RunningReceiver, startReceiver } from "../../lb-receiver/server";
import { type RunningHaproxy, startHaproxy } from "../../scripts/haproxy";
import { type Declaration, declaration } from "../support/declarations";
import { PulumiProject, CLI_TESTS } from "../support/pulumi-project";
import { type NamedEndpoint, type TestCa, makeCa, startNamedEndpoint, tally } from "../support/tls-endpoints";

const owner = { clientId: "haproxy-owner", clientSecret: `haproxy-owner-secret-${randomBytes(6).toString("hex")}` };
const webhookSecret = `haproxy-webhook-secret-${randomBytes(6).toString("hex")}`;

describe("HAProxy follows the declared channels through the real Pulumi CLI", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let project: PulumiProject;
  let ca: TestCa;
  let haproxy: RunningHaproxy;
  let receiver: RunningReceiver;
  let receiverPort: number;
  let stateFile: string;
  const endpoints: Record<string, NamedEndpoint> = {};
  let declared: Declaration[] = [];

  const driver = () => new HaproxyDriver({ socket: haproxy.socket, backend: haproxy.backend, caFile: ca.caFile });
  const startOurReceiver = (port = 0) =>
    startReceiver({
      secret: webhookSecret,
      stateFile,
      port,
      bindRetryMs: 30_000,
      backend: new BalancerSync(driver(), { checkIntervalMs: 300 }),
    });
  const channel = (name: string) => declaration(name, { endpointUrl: endpoints[name]!.endpointUrl });

  /** Waits until HAProxy serves exactly these endpoints' names through its frontend. */
  async function trafficReaches(names: string[], timeoutMs = 40_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let seen: string[] = [];
    for (;;) {
      const servers = await driver().servers();
      if (servers.length === names.length && servers.every((s) => s.state === "up")) {
        seen = Object.keys(await tally(haproxy.frontendUrl, names.length * 6)).sort();
        if (JSON.stringify(seen) === JSON.stringify([...names].sort())) return seen;
      }
      if (Date.now() > deadline) return seen.length ? seen : servers.map((s) => `${s.name}:${s.state}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  /** Posts a delivery signed as Genesys signs one (HMAC computed here, not by the receiver's code). */
  async function deliver(body: object, webhookId?: string): Promise<{ status: number; outcome: string }> {
    const raw = JSON.stringify(body);
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = "sha256=" + createHmac("sha256", webhookSecret).update(`${ts}.${raw}`).digest("hex");
    const res = await fetch(`${receiver.url}/events`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-genesys-signature": signature,
        "x-genesys-timestamp": ts,
        ...(webhookId ? { "x-genesys-webhook-id": webhookId } : {}),
      },
      body: raw,
    });
    const answer = (await res.json()) as { status?: string; error?: string };
    return { status: res.status, outcome: answer.status ?? answer.error ?? "" };
  }

  async function up(): Promise<void> {
    await project.declareChannels(declared);
    const res = await project.up();
    expect(res.code, res.stdout + res.stderr).toBe(0);
  }

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, data: ":memory:", clients: [owner], webhookIntervalScale: 0.5, quiet: true });
    project = await PulumiProject.create({
      config: {
        "genesys:apiUrl": emulator.url,
        "genesys:clientId": owner.clientId,
        "genesys:allowPrivateNetworks": "true",
        "lb:retryCount": "10",
        "lb:retryInterval": "1",
      },
      secrets: { "genesys:clientSecret": owner.clientSecret, "genesys:webhookSecret": webhookSecret },
    });
    ca = makeCa(project.dir);
    for (const name of ["alpha", "bravo", "charlie", "bravo-v2"]) endpoints[name] = await startNamedEndpoint(ca, name);
    haproxy = await startHaproxy({ dir: path.join(project.dir, "haproxy"), caFile: ca.caFile });
    stateFile = path.join(project.dir, "lb-pool.json");
    receiver = await startOurReceiver();
    receiverPort = Number(new URL(receiver.url).port);
    await project.setConfig("lb:callbackUrl", `${receiver.url}/events`);
  });

  afterAll(async () => {
    await receiver?.close();
    await haproxy?.stop();
    for (const e of Object.values(endpoints)) await e.close();
    project?.cleanup();
    await emulator?.close();
  });

  it("after up, requests through HAProxy reach all three declared channels", async () => {
    declared = [channel("alpha"), channel("bravo"), channel("charlie")];
    await up();
    expect(await trafficReaches(["alpha", "bravo", "charlie"])).toEqual(["alpha", "bravo", "charlie"]);
  });

  it("an endpoint changed in code moves the traffic to the new endpoint", async () => {
    declared[1] = { ...channel("bravo"), endpointUrl: endpoints["bravo-v2"]!.endpointUrl };
    await up();
    expect(await trafficReaches(["alpha", "bravo-v2", "charlie"])).toEqual(["alpha", "bravo-v2", "charlie"]);
    const before = endpoints.bravo!.served();
    await tally(haproxy.frontendUrl, 12);
    expect(endpoints.bravo!.served()).toBe(before);
  });

  it("a destroyed channel gets no more requests", async () => {
    declared = declared.filter((d) => d.resourceName !== "charlie");
    await up();
    expect(await trafficReaches(["alpha", "bravo-v2"])).toEqual(["alpha", "bravo-v2"]);
    const before = endpoints.charlie!.served();
    await tally(haproxy.frontendUrl, 12);
    expect(endpoints.charlie!.served()).toBe(before);
  });

  it("a replayed or stale delivery changes nothing in HAProxy", async () => {
    const before = await driver().servers();
    const pool = (await (await fetch(`${receiver.url}/pool`)).json()) as {
      members: { brandId: string; name: string; endpointUrl: string; followers: string[] }[];
    };
    const alpha = pool.members.find((m) => m.name === "Channel alpha")!;
    // A created event for alpha older than what the pool last applied (a late retry or a replay).
    const stale = {
      id: randomUUID(),
      eventType: "webchat.brand.created",
      timestamp: new Date(Date.now() - 10 * 60_000).toISOString(),
      brand: { id: alpha.brandId, name: alpha.name, endpointUrl: endpoints.charlie!.endpointUrl },
    };
    // As Genesys sends them: from the webhook that follows alpha.
    const webhookId = alpha.followers[0];
    expect(await deliver(stale, webhookId)).toEqual({ status: 200, outcome: "stale ignored" });
    // A newer event, then a repeat of its delivery id: applied once, the repeat ignored.
    const fresh = {
      ...stale,
      id: randomUUID(),
      eventType: "webchat.brand.updated",
      timestamp: new Date().toISOString(),
      brand: { id: alpha.brandId, name: alpha.name, endpointUrl: alpha.endpointUrl },
    };
    expect(await deliver(fresh, webhookId)).toEqual({ status: 200, outcome: "applied" });
    // The same delivery id again, this time newer and pointing at charlie's endpoint: were it applied,
    // alpha's server would move to charlie's port, so "nothing changed" below can fail.
    const repeat = {
      ...fresh,
      timestamp: new Date(Date.now() + 1_000).toISOString(),
      brand: { ...fresh.brand, endpointUrl: endpoints.charlie!.endpointUrl },
    };
    expect(await deliver(repeat, webhookId)).toEqual({ status: 200, outcome: "duplicate ignored" });
    expect(await driver().servers()).toEqual(before);
    expect(before.map((s) => s.port)).not.toContain(endpoints.charlie!.port);
    expect(await trafficReaches(["alpha", "bravo-v2"])).toEqual(["alpha", "bravo-v2"]);
  });

  it("a signed event whose endpoint host would be HAProxy commands is refused with a short reason, and HAProxy is unchanged", async () => {
    const before = await driver().servers();
    const pool = (await (await fetch(`${receiver.url}/pool`)).json()) as {
      members: { brandId: string; name: string; followers: string[] }[];
    };
    const alpha = pool.members.find((m) => m.name === "Channel alpha")!;
    for (const endpointUrl of ["https://a);operator;help;b.example:1/", "https://a;help;b.example:1/"]) {
      const hostile = {
        id: randomUUID(),
        eventType: "webchat.brand.updated",
        timestamp: new Date().toISOString(),
        brand: { id: alpha.brandId, name: alpha.name, endpointUrl },
      };
      expect(await deliver(hostile, alpha.followers[0])).toEqual({
        status: 422,
        outcome: "rejected: brand.endpointUrl: host is not a DNS name or an IP address",
      });
    }
    expect(await driver().servers()).toEqual(before);
    expect(await trafficReaches(["alpha", "bravo-v2"])).toEqual(["alpha", "bravo-v2"]);
  });

  it("HAProxy restarted loses its runtime servers and the receiver reconciles them back", async () => {
    await haproxy.restart();
    expect(await trafficReaches(["alpha", "bravo-v2"])).toEqual(["alpha", "bravo-v2"]);
  });

  it("the receiver restarted reconciles HAProxy from its saved pool", async () => {
    await receiver.close();
    // While the receiver is away someone adds a stray server and removes a declared one by hand.
    const ids = (await driver().servers()).map((s) => s.name);
    await driver().remove(ids[0]!);
    expect(await runtimeCommand(haproxy.socket, `add server ${haproxy.backend}/stray 127.0.0.1:${endpoints.charlie!.port}`)).toMatch(
      /New server registered/,
    );
    receiver = await startOurReceiver(receiverPort);
    expect(await trafficReaches(["alpha", "bravo-v2"])).toEqual(["alpha", "bravo-v2"]);
    expect(fs.readFileSync(stateFile, "utf8")).not.toContain(webhookSecret);
  });

  it("destroy empties the backend", async () => {
    const res = await project.destroy();
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const deadline = Date.now() + 20_000;
    while ((await driver().servers()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await driver().servers()).toEqual([]);
  });
});
