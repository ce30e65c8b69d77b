/**
 * The failures a platform team meets: PostgreSQL going away in the middle of an up, and a runner
 * killed with -9 while it holds a stack's lock. Both must fail closed and recover through the
 * README's steps (pulumi cancel, refresh, up) with no channel lost or duplicated.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { initAuditSchema } from "../../provider/audit";
import { type ThrowawayPostgres, startPostgres } from "../../scripts/postgres";
import { ADMIN, CLIENT, TeamProject, brandNames, channelsFor, clearEmulatorRequests, emulatorRequests, killGroup } from "./support";

const ORG_LIMIT = 4;
const WINDOW = 5;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("team mode recovery", () => {
  let pg: ThrowawayPostgres;
  let emulator: RunningEmulator;
  let project: TeamProject;
  let teamUrl: string;

  const createdFor = async (stack: string) => (await brandNames(emulator.url)).filter((n) => n.startsWith(`${stack} `));
  // Polled through the admin API, which stays out of the rate limits the runners share.
  const created = async () =>
    (await emulatorRequests(emulator.url)).filter((r) => r.method === "POST" && r.status === 201 && r.path === "/api/v2/webchat/brands")
      .length;

  /** The README's recovery: cancel a left-over lock, refresh, up; then nothing left to change. */
  async function recover(stack: string, channels: number): Promise<void> {
    const cancel = await project.pulumi(["cancel", "--yes", "--stack", stack]);
    expect(cancel.code === 0 || /no update in progress|not currently locked|no lock/i.test(cancel.stderr + cancel.stdout)).toBe(true);
    const refresh = await project.pulumi(["refresh", "--yes", "--stack", stack]);
    expect(refresh.code, refresh.stderr).toBe(0);
    const up = await project.deploy(["--stacks", stack]);
    expect(up.code, up.stdout).toBe(0);
    const preview = await project.deploy(["--stacks", stack, "--command", "preview", "--expect-no-changes"]);
    expect(preview.code, preview.stdout).toBe(0);
    const names = await createdFor(stack);
    expect(names).toHaveLength(channels);
    expect(new Set(names).size).toBe(channels);
  }

  beforeAll(async () => {
    pg = await startPostgres();
    emulator = await startEmulator({
      clients: [{ clientId: CLIENT.id, clientSecret: CLIENT.secret }],
      adminToken: ADMIN,
      quiet: true,
      orgRateLimit: { requests: ORG_LIMIT * WINDOW, perSeconds: WINDOW },
    });
    const state = await pg.createDatabase("pulumi_state");
    teamUrl = await pg.createDatabase("genesys_team");
    await initAuditSchema(teamUrl);
    project = new TeamProject(state, { GENESYS_COORDINATION_URL: teamUrl, GENESYS_AUDIT_URL: teamUrl });
    const config = {
      "genesys:apiUrl": emulator.url,
      "genesys:allowPrivateNetworks": "true",
      "genesys:orgMaxRequestsPerSecond": String(ORG_LIMIT),
      "genesys:rateWindowSeconds": String(WINDOW),
    };
    // Three windows of the org budget (10 channels each): most of the work is still ahead when the database stops.
    project.declareStack("outage", channelsFor("outage", 30), config);
    // Enough work that the kill lands mid-update even when the machine is slow to notice the first creates.
    project.declareStack("killed", channelsFor("killed", 30), config);
  });
  afterAll(async () => {
    await emulator?.close();
    await pg?.destroy();
    project?.cleanup();
  });

  it("PostgreSQL stopped in the middle of an up: calls stop at once, the up fails closed or pauses, then the documented recovery converges", async () => {
    await clearEmulatorRequests(emulator.url);
    let runner: ChildProcess | undefined;
    const running = project.deploy(["--stacks", "outage"], { onSpawn: (c) => (runner = c) });
    await until("a few channels to be created", async () => (await created()) >= 3);
    await pg.stop();
    const stoppedAt = Date.now();
    // Longer than the budget's 10 s of patience with a restarting database: every operation has given up.
    await new Promise((r) => setTimeout(r, 20_000));
    // Fail closed: once the budget could not be consulted, no call went to the API. Calls granted just
    // before the stop may still land a few seconds later on a loaded machine; the next 15 s must be silent.
    const late = (await emulatorRequests(emulator.url)).filter((r) => r.path.startsWith("/api/") && Date.parse(r.time) > stoppedAt + 5_000);
    expect(late).toEqual([]);

    await pg.start();
    // Pulumi's own state backend may keep the update waiting for its database; a CI job would time out.
    const ended = await Promise.race([running, new Promise<undefined>((r) => setTimeout(() => r(undefined), 90_000))]);
    // Two honest endings. Operations that were waiting for the shared budget when the database went
    // away give up after 10 s and fail the up with the setting's name. But Pulumi's engine also
    // records each step in its state before calling the provider, so when every operation was
    // held back there, the update just pauses and carries on once PostgreSQL is back.
    if (!ended) {
      console.log("outage: the up still waited on its state 90 s after the restart; killed as a CI timeout would");
      killGroup(runner!);
      await running;
    } else if (ended.code === 0) {
      console.log("outage: the engine held every operation back until its state database returned, then completed");
      expect(ended.stdout).toMatch(/outage\s+up\s+ok/);
    } else {
      // Operations waiting for the budget or the audit trail give up and say which setting's database
      // they could not reach.
      console.log(`outage: the up failed closed:\n${ended.stdout.split("\n").slice(-12).join("\n")}`);
      expect(ended.stdout).toMatch(/outage\s+up\s+FAILED/);
      expect(ended.stdout).toMatch(/genesys:(coordinationUrl|auditUrl)\) is unreachable/);
    }
    if (ended) expect(ended.stdout + ended.stderr).not.toContain(new URL(teamUrl).password);
    // However it ended: not one 429 and not one call without the budget's say-so, and the recovery converges.
    expect((await emulatorRequests(emulator.url)).filter((r) => r.status === 429)).toEqual([]);
    await recover("outage", 30);
  });

  it("kill -9 of a runner holding the stack's lock: the next run names the lock, and cancel, refresh, up converge", async () => {
    await clearEmulatorRequests(emulator.url);
    let runner: ChildProcess | undefined;
    const running = project.deploy(["--stacks", "killed"], { onSpawn: (c) => (runner = c) });
    await until("a first channel to be created", async () => (await created()) >= 1);
    killGroup(runner!);
    const killed = await running;
    expect(killed.signal).toBe("SIGKILL");
    // The premise: the runner died in the middle of its update, so its lock is still held.
    expect(await created(), "channels created when the runner was killed").toBeLessThan(30);

    const blocked = await project.deploy(["--stacks", "killed"]);
    expect(blocked.code, blocked.stdout + blocked.stderr).toBe(1);
    expect(blocked.stdout).toMatch(/stack killed is locked by another runner \(held by .*created by/);
    expect(blocked.stdout).toContain("pulumi cancel --yes --stack killed");

    await recover("killed", 30);
  });
});
