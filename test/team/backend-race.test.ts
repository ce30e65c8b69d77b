/**
 * README "Team mode": on a new state database every Pulumi CLI's first connection creates the
 * backend's table, which PostgreSQL does not make safe for two at once (23505 on
 * pg_type_typname_nsp_index); `npm run deploy` tries such a stack again. Here the other creator is
 * this test, holding its CREATE TABLE open until the runner's own is waiting on it, so the runner's
 * first attempt meets the race every time.
 */
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { type ThrowawayPostgres, startPostgres } from "../../scripts/postgres";
import { ADMIN, CLIENT, TeamProject, channelsFor, until } from "./support";

describe("a new state database's table, created by two at once", () => {
  let pg: ThrowawayPostgres;
  let emulator: RunningEmulator;
  let project: TeamProject;
  let stateUrl: string;

  beforeAll(async () => {
    pg = await startPostgres();
    emulator = await startEmulator({ clients: [{ clientId: CLIENT.id, clientSecret: CLIENT.secret }], adminToken: ADMIN, quiet: true });
    stateUrl = await pg.createDatabase("race");
    project = new TeamProject(stateUrl, {});
    project.declareStack("race", channelsFor("race", 1), { "genesys:apiUrl": emulator.url, "genesys:allowPrivateNetworks": "true" });
  });
  afterAll(async () => {
    await emulator?.close();
    await pg?.destroy();
    project?.cleanup();
  });

  it("the runner whose CREATE TABLE loses the race tries again and applies", async () => {
    // Pulumi's own table definition, made once by the CLI and moved aside, so the test can create the same one.
    const ls = await project.pulumi(["stack", "ls"]);
    expect(ls.code, ls.stderr).toBe(0);
    await pg.sql("CREATE SCHEMA ref; ALTER TABLE public.pulumi_state SET SCHEMA ref;", "race");

    const other = new Client({ connectionString: stateUrl });
    await other.connect();
    const watcher = new Client({ connectionString: stateUrl });
    await watcher.connect();
    try {
      await other.query("BEGIN");
      await other.query("CREATE TABLE public.pulumi_state (LIKE ref.pulumi_state INCLUDING ALL)");
      const running = project.deploy(["--stacks", "race"]);
      // Watched from a connection of its own: inside a transaction pg_stat_activity is a snapshot that never changes.
      await until("the runner's CREATE TABLE to wait on the test's", async () => {
        const { rows } = await watcher.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query ILIKE '%CREATE TABLE%pulumi_state%'",
        );
        return Number(rows[0]!.n) > 0;
      });
      await other.query("COMMIT");
      const run = await running;
      expect(run.code, run.stdout + run.stderr).toBe(0);
      const retries = run.stdout.match(/the state database's table was being created by another runner at the same moment; trying again/g);
      expect(retries).toHaveLength(1);
      expect(run.stdout).toMatch(/^race\s+up\s+ok\s+\+2 ~0 -0/m);
    } finally {
      await other.end();
      await watcher.end();
    }
  });
});
