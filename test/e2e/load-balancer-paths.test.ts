/**
 * The load balancer's pool equals the declared set after every `up`, on every path that changes
 * what a webhook follows or where it delivers, through the real CLI with a user's own program
 * (test/fixtures/lb-topology): four channels, webhooks on some of them, two reference receivers.
 * After each step, each receiver's GET /pool is compared with the channels that the stack's
 * enabled webhooks pointing at it follow.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { declaration, stateResource, type Declaration } from "../support/declarations";
import { apiClient } from "../support/genesys";
import { PulumiProject, CLI_TESTS } from "../support/pulumi-project";

const owner = { clientId: "lb-paths-owner", clientSecret: `lb-paths-secret-${randomBytes(6).toString("hex")}` };
const webhookSecret = `lb-paths-webhook-secret-${randomBytes(6).toString("hex")}`;

interface WebhookDecl {
  resourceName: string;
  name: string;
  follows: string;
  callbackUrl: string;
  enabled: boolean;
}

interface Topology {
  channels: Declaration[];
  webhooks: WebhookDecl[];
  deliveryPolicy: { retryCount: number; retryInterval: number };
}

type Pool = { brandId: string; name: string }[];

/** Several CLI runs per step on a loaded 2-core machine. */
const STEP_TIMEOUT_MS = 400_000;

async function poolOf(receiver: RunningReceiver): Promise<Pool> {
  const res = await fetch(`${receiver.url}/pool`);
  const { members } = (await res.json()) as { members: Pool };
  return members.map((m) => ({ brandId: m.brandId, name: m.name })).sort((a, b) => a.name.localeCompare(b.name));
}

/** Platform deliveries are asynchronous: wait (generously, on a loaded machine) for the pool to settle. */
async function settled(receiver: RunningReceiver, expected: Pool, timeoutMs = 60_000): Promise<Pool> {
  const deadline = Date.now() + timeoutMs;
  let last = await poolOf(receiver);
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    last = await poolOf(receiver);
  }
  return last;
}

describe("the load balancer's pool equals the declared channels after every up", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let project: PulumiProject;
  let lb1: RunningReceiver;
  let lb2: RunningReceiver;
  let topology: Topology;
  let topologyFile: string;
  let cliOutput = "";

  const write = (t: Topology) => fs.writeFileSync(topologyFile, JSON.stringify(t, null, 2));
  const run = async (step: Promise<{ code: number | null; stdout: string; stderr: string }>) => {
    const r = await step;
    cliOutput += r.stdout + r.stderr;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r;
  };

  /** What each receiver must hold: the channels followed by the enabled webhooks that point at it. */
  async function declaredPool(receiver: RunningReceiver): Promise<Pool> {
    const outputs = await project.outputs();
    const channels = outputs.channels as Record<string, { brandId: string; name: string }>;
    return topology.webhooks
      .filter((w) => w.enabled && w.callbackUrl === `${receiver.url}/events`)
      .map((w) => ({ brandId: channels[w.follows].brandId, name: channels[w.follows].name }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async function expectPoolsDeclared(): Promise<void> {
    for (const receiver of [lb1, lb2]) {
      const expected = await declaredPool(receiver);
      expect(await settled(receiver, expected), receiver.url).toEqual(expected);
    }
  }

  const webhook = (resourceName: string) => topology.webhooks.find((w) => w.resourceName === resourceName)!;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, data: ":memory:", clients: [owner], webhookIntervalScale: 0.5, quiet: true });
    project = await PulumiProject.create({
      config: { "genesys:apiUrl": emulator.url, "genesys:clientId": owner.clientId, "genesys:allowPrivateNetworks": "true" },
      secrets: { "genesys:clientSecret": owner.clientSecret, "genesys:webhookSecret": webhookSecret },
    });
    // The user's own program instead of the repo's dev stack.
    fs.copyFileSync(path.join(__dirname, "../fixtures/lb-topology/program.cjs"), path.join(project.dir, "program.cjs"));
    fs.writeFileSync(path.join(project.dir, "Pulumi.yaml"), "name: genesys-webmessaging\nruntime: nodejs\nmain: program.cjs\n");
    lb1 = await startReceiver({ secret: webhookSecret, stateFile: path.join(project.dir, "lb1", "pool.json") });
    lb2 = await startReceiver({ secret: webhookSecret, stateFile: path.join(project.dir, "lb2", "pool.json") });
    topologyFile = path.join(project.dir, "topology.json");
    const hook = (resourceName: string, follows: string): WebhookDecl => ({
      resourceName,
      name: `lb-sync-${resourceName}`,
      follows,
      callbackUrl: `${lb1.url}/events`,
      enabled: true,
    });
    topology = {
      channels: ["alpha", "bravo", "charlie", "delta"].map((n) => declaration(n)),
      webhooks: [hook("hook-1", "alpha"), hook("hook-2", "bravo"), hook("hook-3", "charlie")],
      deliveryPolicy: { retryCount: 10, retryInterval: 1 },
    };
    write(topology);
    await project.setConfig("topologyFile", topologyFile);
  });

  afterAll(async () => {
    await lb1?.close();
    await lb2?.close();
    project?.cleanup();
    await emulator?.close();
  });

  it(
    "after the first up, the pool holds the three followed channels of four",
    async () => {
      await run(project.up());
      const expected = await declaredPool(lb1);
      expect(expected.map((m) => m.name)).toEqual(["Channel alpha", "Channel bravo", "Channel charlie"]);
      await expectPoolsDeclared();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a channel deleted out of band: refresh marks its webhook not enrolled, up recreates the channel and enrols it",
    async () => {
      const before = (await project.outputs()).channels.alpha.brandId as string;
      await apiClient(emulator.url, owner.clientId, owner.clientSecret).brands.delete(before);
      // The load balancer heard of the delete, as it would from Genesys.
      const withoutAlpha = (await declaredPool(lb1)).filter((m) => m.brandId !== before);
      expect(await settled(lb1, withoutAlpha)).toEqual(withoutAlpha);
      await run(project.refresh());
      expect(stateResource(await project.exportState(), "hook-1")?.outputs.enrolled).toBe(false);
      await run(project.up());
      const after = (await project.outputs()).channels.alpha.brandId as string;
      expect(after).not.toBe(before);
      await expectPoolsDeclared();
      await run(project.preview(["--expect-no-changes"]));
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a channelTypes change replaces the channel, and the pool follows the new one",
    async () => {
      const before = (await project.outputs()).channels.bravo.brandId as string;
      topology.channels[1] = { ...topology.channels[1], channelTypes: ["webchat", "webmessaging"] };
      write(topology);
      await run(project.up());
      expect((await project.outputs()).channels.bravo.brandId).not.toBe(before);
      await expectPoolsDeclared();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a webhook moved to another channel in code: the old channel leaves the pool, the new one joins",
    async () => {
      webhook("hook-2").follows = "delta";
      write(topology);
      await run(project.up());
      const names = (await poolOf(lb1)).map((m) => m.name);
      expect(names).toContain("Channel delta");
      expect(names).not.toContain("Channel bravo");
      await expectPoolsDeclared();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a callbackUrl moved to a second load balancer: the first gets the removal, the second the channel",
    async () => {
      webhook("hook-1").callbackUrl = `${lb2.url}/events`;
      write(topology);
      await run(project.up());
      expect((await poolOf(lb2)).map((m) => m.name)).toEqual(["Channel alpha"]);
      expect((await poolOf(lb1)).map((m) => m.name)).not.toContain("Channel alpha");
      await expectPoolsDeclared();
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "a webhook disabled takes its channel out of the pool, enabled again puts it back",
    async () => {
      webhook("hook-3").enabled = false;
      write(topology);
      await run(project.up());
      expect((await poolOf(lb1)).map((m) => m.name)).not.toContain("Channel charlie");
      await expectPoolsDeclared();
      webhook("hook-3").enabled = true;
      write(topology);
      await run(project.up());
      expect((await poolOf(lb1)).map((m) => m.name)).toContain("Channel charlie");
      await expectPoolsDeclared();
      await run(project.preview(["--expect-no-changes"]));
    },
    STEP_TIMEOUT_MS,
  );

  it(
    "after destroy both pools are empty, and no secret reached the CLI output or the receivers' state",
    async () => {
      await run(project.destroy());
      expect(await settled(lb1, [])).toEqual([]);
      expect(await settled(lb2, [])).toEqual([]);
      for (const file of [path.join(project.dir, "lb1", "pool.json"), path.join(project.dir, "lb2", "pool.json")]) {
        expect(fs.readFileSync(file, "utf8")).not.toContain(webhookSecret);
      }
      expect(cliOutput).not.toContain(webhookSecret);
      expect(cliOutput).not.toContain(owner.clientSecret);
    },
    STEP_TIMEOUT_MS,
  );
});
