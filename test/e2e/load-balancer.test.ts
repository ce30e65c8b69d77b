/**
 * LoadBalancerWebhook through the real CLI with the reference receiver: the pool follows up,
 * updates and destroy; a receiver that is down for less than the retry window loses no event;
 * and after it all, no secret appears in the state, the CLI output or the audit trail.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { verifyTrail } from "../../provider/audit";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { EmulatorAdmin } from "../support/admin";
import { declaration } from "../support/declarations";
import { apiClient, listBrands } from "../support/genesys";
import { PulumiProject, CLI_TESTS } from "../support/pulumi-project";

const owner = { clientId: "lb-owner", clientSecret: `lb-owner-secret-${randomBytes(6).toString("hex")}` };
const webhookSecret = `lb-webhook-secret-${randomBytes(6).toString("hex")}`;
const ADMIN = "lb-admin";

async function poolOf(receiver: RunningReceiver): Promise<Record<string, string>> {
  const res = await fetch(`${receiver.url}/pool`);
  const { members } = (await res.json()) as { members: { name: string; endpointUrl: string }[] };
  return Object.fromEntries(members.map((m) => [m.name, m.endpointUrl]));
}

/** Waits on the observable pool; generous because a loaded 2-core machine delivers slowly. */
async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  return last;
}

describe("load balancer sync through the real Pulumi CLI", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let admin: EmulatorAdmin;
  let receiver: RunningReceiver;
  let receiverPort: number;
  let stateFile: string;
  let project: PulumiProject;
  let cliOutput = "";
  const declared = [declaration("north"), declaration("south")];
  const expectedPool = (decls: typeof declared) => Object.fromEntries(decls.map((d) => [d.name, d.endpointUrl]));

  beforeAll(async () => {
    // Webhook retry intervals are scaled down: 6 s declared becomes 3 s, so 10 retries give a
    // receiver that is down ~30 s to come back, room enough on a loaded 2-core machine.
    emulator = await startEmulator({
      port: 0,
      data: ":memory:",
      clients: [owner],
      adminToken: ADMIN,
      webhookIntervalScale: 0.5,
      quiet: true,
    });
    admin = new EmulatorAdmin(emulator.url, ADMIN);
    project = await PulumiProject.create({
      config: {
        "genesys:apiUrl": emulator.url,
        "genesys:clientId": owner.clientId,
        "genesys:allowPrivateNetworks": "true",
        "lb:retryCount": "10",
        "lb:retryInterval": "6",
      },
      secrets: { "genesys:clientSecret": owner.clientSecret, "genesys:webhookSecret": webhookSecret },
      channels: declared,
    });
    stateFile = path.join(project.dir, "lb-pool.json");
    receiver = await startReceiver({ secret: webhookSecret, stateFile });
    receiverPort = Number(new URL(receiver.url).port);
    await project.setConfig("lb:callbackUrl", `${receiver.url}/events`);
  });

  afterAll(async () => {
    await receiver?.close();
    project?.cleanup();
    await emulator?.close();
  });

  it("after up the receiver's pool holds exactly the declared channels' endpoints", async () => {
    const up = await project.up();
    cliOutput += up.stdout + up.stderr;
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(await poolOf(receiver)).toEqual(expectedPool(declared));
    const outputs = await project.outputs();
    expect(outputs.channels.north.webhookId).toMatch(/[0-9a-f-]{36}/);
  });

  it("after an update the pool reflects the new endpoint", async () => {
    declared[0] = { ...declared[0], endpointUrl: "wss://localhost:9443/north-v2" };
    await project.declareChannels(declared);
    const up = await project.up();
    cliOutput += up.stdout + up.stderr;
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(await eventually(() => poolOf(receiver), expectedPool(declared))).toEqual(expectedPool(declared));
  });

  it("with the receiver down for less than the retry window, no event is lost", async () => {
    await receiver.close();
    declared[1] = { ...declared[1], endpointUrl: "wss://localhost:9443/south-v2" };
    await project.declareChannels(declared);
    const up = await project.up();
    cliOutput += up.stdout + up.stderr;
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const failed = (await admin.deliveries()).filter((d) => d.error !== undefined || (typeof d.status === "number" && d.status >= 300));
    expect(failed.length).toBeGreaterThan(0);
    // The same, ephemeral, port: a connection elsewhere may hold it for a moment, so wait rather than fail.
    receiver = await startReceiver({ secret: webhookSecret, stateFile, port: receiverPort, bindRetryMs: 60_000 });
    expect(await eventually(() => poolOf(receiver), expectedPool(declared))).toEqual(expectedPool(declared));
  });

  it("after destroy the pool is empty and the emulator holds no channel or webhook", async () => {
    const destroy = await project.destroy();
    cliOutput += destroy.stdout + destroy.stderr;
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    expect(await eventually(() => poolOf(receiver), {})).toEqual({});
    expect(await listBrands(emulator.url, owner.clientId, owner.clientSecret)).toEqual([]);
    const hooks = await apiClient(emulator.url, owner.clientId, owner.clientSecret).transport.request<{ entities: unknown[] }>({
      operation: "list webhooks",
      method: "GET",
      path: "/api/v2/webhooks/webhooks",
    });
    expect(hooks.data.entities).toEqual([]);
  });

  it("no secret or token appears in the state, the CLI output or the audit records, and the audit chain verifies", async () => {
    const state = await project.exportState();
    const audit = project.auditText();
    // 2 channel and 2 webhook creates, 2 updates, 2 webhook and 2 channel deletes.
    expect(audit.split("\n").filter(Boolean).length).toBeGreaterThanOrEqual(10);
    for (const secret of [owner.clientSecret, webhookSecret]) {
      expect(state).not.toContain(secret);
      expect(cliOutput).not.toContain(secret);
      expect(audit).not.toContain(secret);
      expect(fs.readFileSync(stateFile, "utf8")).not.toContain(secret);
    }
    expect(audit).not.toMatch(/Bearer\s+[A-Za-z0-9._-]{8,}|access_token/);
    const verified = await verifyTrail(project.auditDir);
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
  });
});
