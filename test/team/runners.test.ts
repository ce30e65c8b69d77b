/**
 * Several runners against one org, set up as README "Team mode" says (a passphrase of the team's
 * own, PULUMI_BACKEND_URL, GENESYS_COORDINATION_URL="$PULUMI_BACKEND_URL", GENESYS_AUDIT_URL):
 * three stacks by `npm run deploy` beside one by plain `pulumi up` share one rate budget (0
 * responses 429, its windows filled), runners on one stack meet its lock (refused at once, or
 * waited for with --lock-wait), and the trail they write is one chain.
 */
import type { ChildProcess } from "node:child_process";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { initAuditSchema } from "../../provider/audit";
import { type ThrowawayPostgres, startPostgres } from "../../scripts/postgres";
import { ADMIN, CLIENT, TeamProject, brandNames, channelsFor, clearEmulatorRequests, emulatorRequests, killGroup, until } from "./support";
import { auditCli } from "./audit-cli";

// The whole org's limit: 20 calls per 5 s window, low enough that the limit, not the CLI, sets the pace.
const ORG_LIMIT = 4;
const WINDOW = 5;
const STACKS = ["eu", "us", "apac", "latam"];
const CHANNELS = 25;

describe("four runners, one org", () => {
  let pg: ThrowawayPostgres;
  let emulator: RunningEmulator;
  let project: TeamProject;
  let teamUrl: string;

  beforeAll(async () => {
    pg = await startPostgres();
    emulator = await startEmulator({
      clients: [{ clientId: CLIENT.id, clientSecret: CLIENT.secret }],
      adminToken: ADMIN,
      quiet: true,
      orgRateLimit: { requests: ORG_LIMIT * WINDOW, perSeconds: WINDOW },
    });
    // One database for state, budget and trail, as the README's set-up SQL has it.
    teamUrl = await pg.createDatabase("genesys_team");
    await initAuditSchema(teamUrl);
    project = new TeamProject(teamUrl, { GENESYS_COORDINATION_URL: teamUrl, GENESYS_AUDIT_URL: teamUrl });
    const config = {
      "genesys:apiUrl": emulator.url,
      "genesys:allowPrivateNetworks": "true",
      "genesys:orgMaxRequestsPerSecond": String(ORG_LIMIT),
    };
    for (const stack of STACKS) project.declareStack(stack, channelsFor(stack, CHANNELS), config);
    project.declareStack("shared", channelsFor("shared", 6), config);
    // Made by hand under the team's passphrase (one at a time: the first also creates the state table).
    for (const stack of [...STACKS, "shared"]) await project.initStack(stack);
  });

  /** Rows of the state table that are locks of `stack` (Pulumi's postgres backend keeps its files as rows). */
  const locksOf = async (stack: string): Promise<number> => {
    const client = new Client({ connectionString: teamUrl });
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
  afterAll(async () => {
    await emulator?.close();
    await pg?.destroy();
    project?.cleanup();
  });

  it("without a passphrase, deploy says which variable to export", async () => {
    const { PULUMI_CONFIG_PASSPHRASE: _, ...noPassphrase } = project.env;
    const run = await project.deploy(["--stacks", "eu", "--command", "preview"], { env: noPassphrase });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toMatch(/stack eu's secrets are protected by a passphrase, and none is set: export PULUMI_CONFIG_PASSPHRASE=/);
  });

  it("three stacks by npm run deploy beside one by plain pulumi up, on the team's passphrase: no 429, the org's windows used, every stack converged", async () => {
    await clearEmulatorRequests(emulator.url);
    const viaDeploy = STACKS.filter((s) => s !== "latam");
    const [run, plain] = await Promise.all([
      project.deploy(["--stacks", viaDeploy.join(","), "--parallel", "3"]),
      project.pulumi(["up", "--yes", "--skip-preview", "--stack", "latam"]),
    ]);
    expect(run.stderr, run.stdout).toBe("");
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^eu\\s+up\\s+ok\\s+\\+${CHANNELS + 1} ~0 -0`, "m"));
    expect(run.stdout).toMatch(new RegExp(`^us\\s+up\\s+ok\\s+\\+${CHANNELS + 1} ~0 -0`, "m"));
    expect(run.stdout).toMatch(new RegExp(`^apac\\s+up\\s+ok\\s+\\+${CHANNELS + 1} ~0 -0`, "m"));
    expect(run.stdout).toContain("3 ok, 0 failed");
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(new RegExp(`\\+ ${CHANNELS + 1} created`));

    const requests = (await emulatorRequests(emulator.url)).filter((r) => r.path.startsWith("/api/"));
    expect(requests.filter((r) => r.status === 429)).toEqual([]);
    const times = requests.map((r) => Date.parse(r.time)).sort((a, b) => a - b);
    const wallMs = times[times.length - 1]! - times[0]!;
    const floorMs = (requests.length / ORG_LIMIT) * 1000;
    // The budget must not be needlessly strict either: with 100 creates queued, some window of the
    // org's length carries at least 3/4 of its limit. (How close the whole run comes to the floor
    // is a speed figure, measured by bench/team.ts: on a loaded machine the CLIs' start-up, not the
    // budget, sets it, so it is no pass/fail line here.)
    const busiest = Math.max(...times.map((t, i) => times.slice(i).filter((u) => u - t < WINDOW * 1000).length));
    console.log(
      `4 runners: ${requests.length} API calls in ${(wallMs / 1000).toFixed(1)} s, floor ${(floorMs / 1000).toFixed(1)} s, ` +
        `ratio ${(wallMs / floorMs).toFixed(2)}, busiest ${WINDOW} s: ${busiest} calls`,
    );
    expect(busiest).toBeGreaterThanOrEqual(0.75 * ORG_LIMIT * WINDOW);

    const names = await brandNames(emulator.url);
    expect(names).toHaveLength(STACKS.length * CHANNELS);

    const preview = await project.deploy(["--stacks", STACKS.join(","), "--command", "preview", "--expect-no-changes"]);
    expect(preview.code, preview.stdout).toBe(0);
    expect(preview.stdout).toContain("4 ok, 0 failed");
  });

  it("two runners up the same stack at once: exactly one applies, the other ends in the lock message", async () => {
    const [a, b] = await Promise.all([project.deploy(["--stacks", "shared"]), project.deploy(["--stacks", "shared"])]);
    const runs = [a!, b!];
    expect(runs.map((r) => r.code).sort()).toEqual([0, 1]);
    const loser = runs.find((r) => r.code === 1)!;
    expect(loser.stdout).toMatch(/stack shared is locked by another runner/);
    expect(loser.stdout).toMatch(/pulumi cancel --yes --stack shared/);
    // The backend's password never reaches the output.
    expect(loser.stdout + loser.stderr).not.toContain(new URL(teamUrl).password);
    expect((await brandNames(emulator.url)).filter((n) => n.startsWith("shared "))).toHaveLength(6);
  });

  it("a runner holding the lock: seven more are refused at once naming it, --lock-wait 2 waits then fails, --lock-wait 300 waits and applies", async () => {
    // A change to apply, so the holder takes the lock for an update.
    project.declareStack("shared", channelsFor("shared", 7), {
      "genesys:apiUrl": emulator.url,
      "genesys:allowPrivateNetworks": "true",
      "genesys:orgMaxRequestsPerSecond": String(ORG_LIMIT),
    });
    let holder: ChildProcess | undefined;
    const holding = project.deploy(["--stacks", "shared"], { onSpawn: (c) => (holder = c) });
    await until("the holder to take the stack's lock", async () => (await locksOf("shared")) === 1);
    // Frozen with its lock: as long as the test needs, however slow the machine is to start the others.
    killGroup(holder!, "SIGSTOP");
    try {
      const refused = await Promise.all(Array.from({ length: 7 }, () => project.deploy(["--stacks", "shared"])));
      expect(refused.map((r) => r.code)).toEqual([1, 1, 1, 1, 1, 1, 1]);
      expect(refused.filter((r) => !/stack shared is locked by another runner \(held by created by .*\(pid \d+\)/.test(r.stdout))).toEqual(
        [],
      );

      const gaveUp = await project.deploy(["--stacks", "shared", "--lock-wait", "2"]);
      expect(gaveUp.code, gaveUp.stdout).toBe(1);
      expect(gaveUp.stdout).toContain("[shared] locked by another runner; waiting");
      expect(gaveUp.stdout).toMatch(/stack shared is locked by another runner \(held by created by .*\); waited ([2-9]|\d{2,}) s/);

      let waiterOut = "";
      const waiting = project.deploy(["--stacks", "shared", "--lock-wait", "300"], {
        onSpawn: (c) => c.stdout!.on("data", (d: Buffer) => (waiterOut += d.toString())),
      });
      await until("the waiter to meet the lock", () => waiterOut.includes("[shared] locked by another runner; waiting"));
      killGroup(holder!, "SIGCONT");
      const [held, waited] = await Promise.all([holding, waiting]);
      expect(held.code, held.stdout).toBe(0);
      expect(held.stdout).toMatch(/^shared\s+up\s+ok\s+\+\d+ ~0 -0/m);
      expect(waited.code, waited.stdout).toBe(0);
      expect(waited.stdout).toMatch(/^shared\s+up\s+ok\s+no changes\s+[\d.]+\s+waited for a lock \d+x$/m);
    } finally {
      // Whatever failed above, the holder finishes before the next test meets its lock.
      killGroup(holder!, "SIGCONT");
      await holding;
    }
    expect((await brandNames(emulator.url)).filter((n) => n.startsWith("shared "))).toHaveLength(7);
  });

  it("eight runners up the same stack at once: each applies or ends in the lock message, none in a raw NotFound", async () => {
    const runs = await Promise.all(Array.from({ length: 8 }, () => project.deploy(["--stacks", "shared"])));
    const outcome = (r: (typeof runs)[number]) =>
      r.code === 0 && /^shared\s+up\s+ok/m.test(r.stdout)
        ? "applied"
        : r.code === 1 && /stack shared is locked by another runner \(held by/.test(r.stdout) && !/NotFound/.test(r.stdout)
          ? "refused"
          : `other: ${r.stdout}${r.stderr}`;
    const outcomes = runs.map(outcome);
    expect(outcomes).toHaveLength(8);
    expect(outcomes.filter((o) => o !== "applied" && o !== "refused")).toEqual([]);
    expect(outcomes).toContain("applied");
  });

  it("the runners' audit records are one chain; an edited row is named", async () => {
    const verify = await auditCli(["verify", "--url", teamUrl]);
    expect(verify.stderr).toBe("");
    expect(verify.stdout).toMatch(/^OK: \d+ records in \d+ files, chain intact/);
    const summary = JSON.parse((await auditCli(["summary", "--json", "--url", teamUrl])).stdout);
    expect(summary.byAction.create.count).toBeGreaterThanOrEqual(STACKS.length * CHANNELS + 6);

    // No secret in the org's trail nor in the state the runners share.
    const dbPassword = new URL(teamUrl).password;
    const exported = await auditCli(["export", "--url", teamUrl, "--out", `${project.dir}/audit-export`]);
    expect(exported.stdout).toMatch(/^exported \d+ records from postgres:\/\/team_admin:\*\*\*@/);
    const state = await project.pulumi(["stack", "export", "--stack", "eu", "--show-secrets"]);
    expect(state.code).toBe(0);
    expect(JSON.parse(state.stdout).deployment.resources.length).toBeGreaterThan(CHANNELS);
    const client = new Client({ connectionString: teamUrl });
    await client.connect();
    try {
      const records = (await client.query<{ record: string }>("SELECT record FROM genesys_audit")).rows.map((r) => r.record).join("\n");
      for (const secret of [CLIENT.secret, dbPassword]) {
        expect(records).not.toContain(secret);
        expect(state.stdout).not.toContain(secret);
      }
      await client.query("ALTER TABLE genesys_audit DISABLE TRIGGER genesys_audit_no_update");
      await client.query(`UPDATE genesys_audit SET record = replace(record, '"outcome":"success"', '"outcome":"failure"') WHERE seq = 42`);
      await client.query("ALTER TABLE genesys_audit ENABLE TRIGGER genesys_audit_no_update");
    } finally {
      await client.end();
    }
    const broken = await auditCli(["verify", "--url", teamUrl]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/\(seq 42\): hash does not match the record's content \(record was edited\)/);
  });
});
