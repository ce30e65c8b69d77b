import fs from "node:fs";
import path from "node:path";
import { Client } from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { type ThrowawayPostgres, startPostgres } from "../../scripts/postgres";

async function query(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("throwaway PostgreSQL", () => {
  let pg: ThrowawayPostgres | undefined;
  afterAll(async () => pg?.destroy());

  it("serves on a loopback port with a password, survives a stop and start, and leaves no folder behind", async () => {
    pg = await startPostgres();
    expect(pg.host).toBe("127.0.0.1");
    const url = await pg.createDatabase("team_check");
    const [row] = await query(url, "SELECT current_database() AS db, current_setting('listen_addresses') AS listen");
    expect(row).toEqual({ db: "team_check", listen: "127.0.0.1" });
    // PostgreSQL refuses to run as root: whoever runs this (root in CI, a developer as themselves),
    // the server runs as, and its data belongs to, a user who is not root.
    const dataOwner = fs.statSync(path.join(pg.dir, "data")).uid;
    const serverPid = Number(fs.readFileSync(path.join(pg.dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    expect(dataOwner).not.toBe(0);
    expect(fs.statSync(`/proc/${serverPid}`).uid).toBe(dataOwner);

    const wrong = url.replace(/:[0-9a-f]+@/, ":wrong@");
    await expect(query(wrong, "SELECT 1")).rejects.toThrow(/password authentication failed/);

    const port = pg.port;
    await pg.stop();
    await expect(query(url, "SELECT 1")).rejects.toThrow(/ECONNREFUSED/);
    await pg.start();
    expect(pg.port).toBe(port);
    expect(await query(url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);

    const dir = pg.dir;
    await pg.destroy();
    pg = undefined;
    expect(fs.existsSync(dir)).toBe(false);
  });
});
