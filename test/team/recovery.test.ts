/**
 * The failures a platform team meets: PostgreSQL going away in the middle of an up, and a runner
 * killed with -9 while it holds a stack's lock. Both must fail closed and recover through the
 * README's steps (pulumi cancel, refresh, up) with no channel lost or duplicated.
 */
import type { ChildProcess } from "node:child_process";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { initAuditSchema } from "../../provider/audit";
import { type ThrowawayPostgres, startPostgres } from "../../scripts/postgres";
import { ADMIN, CLIENT, TeamProject, brandNames, channelsFor, clearEmulatorRequests, emulatorRequests, killGroup, until } from "./support";

const ORG_LIMIT = 4;
const WINDOW = 5;
/** The most calls the shared budget grants in one window: all a runner can have granted and not yet sent. */
const WINDOW_POINTS = ORG_LIMIT * WINDOW;
const OUTAGE_CHANNELS = 60;

describe("team mode recovery", () => {
  // Two servers: the outage takes down the team's rate budget and neither Pulumi's state nor the
  // audit trail, so the budget's fail-closed rule alone decides how the up ends (with the trail on
  // the stopped server too, whichever of the two an operation reached first would name the failure).
  let statePg: ThrowawayPostgres;
  let teamPg: ThrowawayPostgres;
  let emulator: RunningEmulator;
  let project: TeamProject;
  let stateUrl: string;
  let teamUrl: string;

  const createdFor = async (stack: string) => (await brandNames(emulator.url)).filter((n) => n.startsWith(`${stack} `));
  // Polled through the admin API, which stays out of the rate limits the runners share.
  const apiCalls = async () => (await emulatorRequests(emulator.url)).filter((r) => r.path.startsWith("/api/"));
  const created = async () =>
    (await apiCalls()).filter((r) => r.method === "POST" && r.status === 201 && r.path === "/api/v2/webchat/brands").length;
  const locksOf = async (stack: string): Promise<number> => {
    const client = new Client({ connectionString: stateUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>("SELECT count(*) AS n FROM pulumi_state WHERE key LIKE $1", [
        `%/locks/%/${stack}/%`,
      ]);
      return Number(rows[0]!.n);
    } finally {
      await client.end();
    }
  };

  /** The README's recovery: cancel a left-over lock (only when there is one), refresh, up; then nothing left to change. */
  async function recover(stack: string, channels: number, leftoverLocks: number): Promise<void> {
    expect(await locksOf(stack)).toBe(leftoverLocks);
    if (leftoverLocks > 0) {
      const cancel = await project.pulumi(["cancel", "--yes", "--stack", stack]);
      expect(cancel.code, cancel.stderr).toBe(0);
      expect(await locksOf(stack)).toBe(0);
    }
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
    statePg = await startPostgres();
    teamPg = await startPostgres();
    emulator = await startEmulator({
      clients: [{ clientId: CLIENT.id, clientSecret: CLIENT.secret }],
      adminToken: ADMIN,
      quiet: true,
      orgRateLimit: { requests: ORG_LIMIT * WINDOW, perSeconds: WINDOW },
    });
    stateUrl = await statePg.createDatabase("pulumi_state");
    teamUrl = await teamPg.createDatabase("genesys_team");
    const auditUrl = await statePg.createDatabase("genesys_audit");
    await initAuditSchema(auditUrl);
    project = new TeamProject(stateUrl, { GENESYS_COORDINATION_URL: teamUrl, GENESYS_AUDIT_URL: auditUrl });
    const config = {
      "genesys:apiUrl": emulator.url,
      "genesys:allowPrivateNetworks": "true",
      "genesys:orgMaxRequestsPerSecond": String(ORG_LIMIT),
      "genesys:rateWindowSeconds": String(WINDOW),
    };
    // Three times the org's window (20 calls): most of the work is still ahead when the database stops.
    project.declareStack("outage", channelsFor("outage", OUTAGE_CHANNELS), config);
    // Enough work that the kill lands mid-update even when the machine is slow to notice the first creates.
    project.declareStack("killed", channelsFor("killed", 30), config);
    for (const stack of ["outage", "killed"]) await project.initStack(stack);
  });
  afterAll(async () => {
    await emulator?.close();
    await statePg?.destroy();
    await teamPg?.destroy();
    project?.cleanup();
  });

  it("the team's PostgreSQL stopped in the middle of an up: no call without the budget's grant, the up fails closed naming the setting, the documented recovery converges", async () => {
    await clearEmulatorRequests(emulator.url);
    const running = project.deploy(["--stacks", "outage"]);
    await until("a few channels to be created", async () => (await created()) >= 3);
    const beforeStop = (await apiCalls()).length;
    await teamPg.stop();
    // Every operation waits up to 10 s for the budget, then fails: the up ends with the database still down.
    const ended = await running;
    expect(ended.code, ended.stdout).toBe(1);
    expect(ended.stdout).toMatch(/^outage\s+up\s+FAILED/m);
    expect(ended.stdout).toMatch(/genesys:coordinationUrl\) is unreachable/);
    expect(ended.stdout + ended.stderr).not.toContain(new URL(teamUrl).password);
    // Fail closed: after the stop, only calls the budget had already granted went out, and it grants
    // at most one window's worth ahead; a provider pacing on its own would have sent the rest of the 60.
    const afterStop = (await apiCalls()).length - beforeStop;
    expect(afterStop).toBeLessThanOrEqual(WINDOW_POINTS);
    expect(await created()).toBeLessThan(OUTAGE_CHANNELS);
    expect((await apiCalls()).filter((r) => r.status === 429)).toEqual([]);

    await teamPg.start();
    // The run ended and let go of its lock: no cancel needed.
    await recover("outage", OUTAGE_CHANNELS, 0);
    expect((await apiCalls()).filter((r) => r.status === 429)).toEqual([]);
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

    await recover("killed", 30, 1);
  });
});
