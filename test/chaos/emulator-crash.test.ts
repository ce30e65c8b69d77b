/**
 * Emulator crash: the API server (a child process on a SQLite data file) is killed with SIGKILL
 * in the middle of a `pulumi up` of several channels with webhooks, and restarted on the same
 * data file and port after a seeded pause. Nothing the server committed is lost, and the run
 * recovers: the next `up` converges on exactly the declared channels and webhooks, and preview
 * has nothing left to do.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { EmulatorAdmin, type LoggedRequest } from "../support/admin";
import {
  EmulatorProcess,
  brandIdsOnDisk,
  chaosSeed,
  inventory,
  issueToken,
  issuedTokenHashes,
  sleep,
  sweepSecrets,
} from "../support/chaos";
import { declaration, stateResource } from "../support/declarations";
import { PulumiProject, type CliResult } from "../support/pulumi-project";

const seed = chaosSeed("emulator-crash");
const owner = { clientId: "chaos-emucrash", clientSecret: `chaos-emucrash-secret-${randomBytes(8).toString("hex")}` };
const webhookSecret = `chaos-emucrash-webhook-${randomBytes(8).toString("hex")}`;
const ADMIN = `chaos-admin-${randomBytes(4).toString("hex")}`;
const CHANNELS = 10;

describe("chaos: kill -9 of the API server mid-up, restarted on the same data file", () => {
  let tmp: string;
  let emulator: EmulatorProcess;
  let receiver: RunningReceiver;
  let project: PulumiProject;
  let cliOutput = "";
  /** What the killed server's request log said, read until moments before the kill. */
  let logBeforeKill: LoggedRequest[] = [];
  /** Brand ids seen through the API before the kill. */
  const seenBeforeKill = new Set<string>();
  /** Committed channels that a create which failed during the outage deleted again (logged and audited). */
  const compensatedIds = new Set<string>();
  const declared = Array.from({ length: CHANNELS }, (_, i) => declaration(`emu-${i}`));
  const rng = seed.stream("moments");

  const record = (r: CliResult) => {
    cliOutput += r.stdout + r.stderr;
    return r;
  };
  const admin = () => new EmulatorAdmin(emulator.url, ADMIN);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-chaos-emucrash-"));
    emulator = await EmulatorProcess.start({
      // The CLI picks the port; the restart comes back on it (retrying while something else holds it).
      port: 0,
      data: path.join(tmp, "emulator.db"),
      client: owner,
      adminToken: ADMIN,
      seed: seed.int("emulator"),
      webhookIntervalScale: 0.01,
    });
    receiver = await startReceiver({ secret: webhookSecret });
    project = await PulumiProject.create({
      config: {
        "genesys:apiUrl": emulator.url,
        "genesys:clientId": owner.clientId,
        "genesys:allowPrivateNetworks": "true",
        "lb:callbackUrl": `${receiver.url}/events`,
        "lb:retryInterval": "1",
      },
      secrets: { "genesys:clientSecret": owner.clientSecret, "genesys:webhookSecret": webhookSecret },
      channels: declared,
    });
  });

  afterAll(async () => {
    await receiver?.close();
    await emulator?.stop();
    project?.cleanup();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("loses no committed channel when killed mid-up and restarted on the same data file and port", async () => {
    // Half the creates answer late, so the kill finds some committed and answered, some committed
    // and unanswered, and some not sent yet.
    await admin().fault({
      method: "POST",
      path: "/api/",
      afterHandler: true,
      delayMs: 1_500,
      probability: 0.5,
      seed: seed.int("slow-create"),
    });
    const killAtBrands = 2 + Math.floor(rng() * 6);
    // Shorter than the client's patience with a dead API sometimes, longer other times.
    const downForMs = 500 + Math.floor(rng() * 6_000);
    const run = project.up();
    let finished = false;
    void run.then(() => (finished = true));
    const deadline = Date.now() + 90_000;
    while (!finished && Date.now() < deadline) {
      const { brands } = await inventory(emulator.url, owner);
      for (const b of brands) seenBeforeKill.add(b.id);
      logBeforeKill = await admin().requests();
      if (brands.length >= killAtBrands) break;
      await sleep(50);
    }
    expect(finished, "the up ended before the kill").toBe(false);
    expect(seenBeforeKill.size, "channels seen through the API before the kill").toBeGreaterThanOrEqual(killAtBrands);
    const urlBefore = emulator.url;
    await emulator.kill9();
    const onDisk = brandIdsOnDisk(emulator.opts.data, path.join(tmp, "at-crash"));
    const createdPerLog = logBeforeKill.filter(
      (r) => r.method === "POST" && r.path === "/api/v2/webchat/brands" && r.status === 201,
    ).length;
    expect(
      [...seenBeforeKill].filter((id) => !onDisk.has(id)),
      "channels seen before the kill and missing on disk",
    ).toEqual([]);
    expect(onDisk.size).toBeGreaterThanOrEqual(createdPerLog);
    await sleep(downForMs);
    emulator = await emulator.restart();
    expect(emulator.url).toBe(urlBefore);

    // From here the interrupted run talks to the restarted server too, and a create whose health
    // check failed during the outage deletes its channel again (create is atomic). So a committed
    // channel is accounted for when it is live or when the restarted server logged its DELETE.
    const accountFor = async (moment: string) => {
      const live = new Set((await inventory(emulator.url, owner)).brands.map((b) => b.id));
      const deleted = new Set(
        (await admin().requests()).filter((r) => r.method === "DELETE" && r.status === 204).map((r) => r.path.split("/").pop()!),
      );
      expect(
        [...onDisk].filter((id) => !live.has(id) && !deleted.has(id)),
        `channels committed before the crash and neither live nor deleted ${moment}`,
      ).toEqual([]);
      return { live, deleted };
    };
    const restarted = await accountFor("after the restart");
    console.log(
      `emulator-crash: killed at ${killAtBrands} channels (${seenBeforeKill.size} seen, ${createdPerLog} POST 201 logged, ` +
        `${onDisk.size} on disk), down ${downForMs} ms, ${restarted.live.size} channels after restart`,
    );

    // The interrupted run either rode out the outage or failed cleanly; either way it ends, and
    // every channel its state records exists.
    const interrupted = record(await run);
    const { live, deleted } = await accountFor("after the interrupted run");
    const state = await project.exportState();
    const recorded = declared.map((d) => stateResource(state, d.resourceName)?.id).filter((id): id is string => !!id);
    // None recorded is possible (every create in flight failed during the outage); a recorded one must be live.
    expect(
      recorded.filter((id) => !live.has(id)),
      "channels the interrupted run's state records that do not exist",
    ).toEqual([]);
    for (const id of onDisk) if (deleted.has(id)) compensatedIds.add(id);
    console.log(
      `emulator-crash: the interrupted up ended with code ${interrupted.code}; ${recorded.length} channels in its state, ` +
        `${compensatedIds.size} committed channels deleted again by a failed create`,
    );
    // The audit trail's account of compensations (a failed create names the channel it made and
    // removed) is exactly what the restarted server saw deleted, none or some.
    const audited = project
      .auditText()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { action: string; resourceType: string; outcome: string; targetId?: string; error?: string })
      .filter(
        (r) =>
          r.action === "create" && r.resourceType === "genesys:WebMessagingChannel" && r.outcome === "failure" && r.targetId !== undefined,
      );
    expect(
      audited.filter((r) => !/the channel was deleted again so nothing is left half-made|could not be deleted again/.test(r.error ?? "")),
      "failed creates whose audit record does not say what became of their channel",
    ).toEqual([]);
    expect(
      audited
        .filter((r) => r.error!.includes("deleted again so nothing is left half-made") && onDisk.has(r.targetId!))
        .map((r) => r.targetId)
        .sort(),
    ).toEqual([...compensatedIds].sort());
  }, 180_000);

  it("the next up converges on exactly the declared channels and webhooks, and preview shows no changes", async () => {
    await admin().clearFaults();
    const up = record(await project.up());
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const { brands, webhooks } = await inventory(emulator.url, owner);
    expect(brands.map((b) => b.name).sort()).toEqual(declared.map((d) => d.name).sort());
    expect(webhooks.map((w) => w.name).sort()).toEqual(declared.map((d) => `lb-sync-${d.resourceName}`).sort());
    // A channel compensated during the outage was recreated under a new id; every other one
    // seen before the kill is the same channel still.
    expect(
      [...seenBeforeKill].filter((id) => !compensatedIds.has(id) && !brands.some((b) => b.id === id)),
      "channels seen before the kill (and not compensated) that are gone",
    ).toEqual([]);
    const state = await project.exportState();
    for (const d of declared) expect(stateResource(state, d.resourceName)?.id).toBe(brands.find((b) => b.name === d.name)?.id);
    const preview = record(await project.preview(["--expect-no-changes"]));
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
  }, 180_000);

  it("no secret or access token reaches the state, the CLI output, the audit records or either server's request log", async () => {
    const own = await issueToken(emulator.url, owner);
    const findings = sweepSecrets(
      {
        "stack export": await project.exportState(),
        "CLI output": cliOutput,
        "audit records": project.auditText(),
        "request log before the kill": JSON.stringify(logBeforeKill),
        "request log after the restart": JSON.stringify(await admin().requests()),
      },
      { "client secret": owner.clientSecret, "webhook secret": webhookSecret, "a token issued to this client": own },
      issuedTokenHashes(emulator.opts.data),
    );
    expect(findings).toEqual([]);
  }, 60_000);
});

describe("restarting the emulator on its port", () => {
  it("retries the bind while another process holds the port, and comes back on the same URL once it is free", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-chaos-port-"));
    const squatter = net.createServer();
    let emulator = await EmulatorProcess.start({
      port: 0,
      data: path.join(tmp, "emulator.db"),
      client: owner,
      adminToken: ADMIN,
    });
    try {
      const url = emulator.url;
      await emulator.kill9();
      await new Promise<void>((resolve, reject) => squatter.once("error", reject).listen(emulator.opts.port, "127.0.0.1", resolve));
      let refusals = 0;
      let firstRefusal!: () => void;
      const refused = new Promise<void>((resolve) => (firstRefusal = resolve));
      const restarting = emulator.restart(60_000, () => {
        refusals++;
        firstRefusal();
      });
      // The port is freed only once the restart has met EADDRINUSE.
      await refused;
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
      emulator = await restarting;
      expect(emulator.url).toBe(url);
      expect(refusals).toBeGreaterThan(0);
    } finally {
      if (squatter.listening) squatter.close();
      await emulator.stop();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);

  it("gives up with a message naming the port when it stays taken", async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-chaos-port-"));
    const squatter = net.createServer();
    const emulator = await EmulatorProcess.start({ port: 0, data: path.join(tmp, "emulator.db"), client: owner, adminToken: ADMIN });
    try {
      await emulator.kill9();
      await new Promise<void>((resolve, reject) => squatter.once("error", reject).listen(emulator.opts.port, "127.0.0.1", resolve));
      await expect(emulator.restart(1_000)).rejects.toThrow(
        `the emulator could not come back on port ${emulator.opts.port}: another process held it for 1 s after the crash`,
      );
    } finally {
      squatter.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});
