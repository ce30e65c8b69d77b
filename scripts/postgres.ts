/**
 * A throwaway PostgreSQL server for tests, benchmarks and CI: the Debian package's binaries, a data
 * folder under the system's temporary folder, a free loopback port, a random superuser password.
 * PostgreSQL refuses to run as root (CI runs as root), so as root the server runs as the package's
 * `postgres` user (or a system user created for it). Nothing is mocked: team mode's tests talk to this.
 *
 *   node dist/scripts/postgres.js ensure          install the package when missing, print the version
 *   node dist/scripts/postgres.js start           start one, print its URL and folder, leave it running
 *   node dist/scripts/postgres.js stop <folder>   stop it and remove its folder
 */
import { execFile, execFileSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ThrowawayPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Data folder plus the server log and socket; removed by destroy(). */
  readonly dir: string;
  /** A connection URL for `database` (default `postgres`), with the superuser's password. */
  url(database?: string): string;
  /** Creates a database (when absent) and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs SQL as the superuser on `database`. */
  sql(statement: string, database?: string): Promise<void>;
  /** Stops the server, keeping its data (a test of the database going away). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it and removes every file. */
  destroy(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/** The folder holding initdb and pg_ctl: PostgreSQL's own, not whatever wrapper is on PATH. */
function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (fs.existsSync(root)) {
    const versions = fs
      .readdirSync(root)
      .filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb")))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(root, versions[0], "bin");
  }
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, "initdb")) && fs.existsSync(path.join(dir, "pg_ctl"))) return dir;
  }
  return undefined;
}

/** Installs Debian's `postgresql` when its binaries are missing (as root only); returns the bin folder. */
function ensurePostgresInstalled(log: (line: string) => void = () => {}): string {
  const found = postgresBinDir();
  if (found) return found;
  if (process.getuid?.() !== 0 || !fs.existsSync("/usr/bin/apt-get")) {
    throw new Error("PostgreSQL is not installed (no initdb found); install it with: sudo apt-get install -y postgresql");
  }
  log("installing the Debian package postgresql (apt-get)...");
  execFileSync("apt-get", ["update"], { stdio: "ignore" });
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "postgresql"], {
    stdio: "ignore",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  const dir = postgresBinDir();
  if (!dir) throw new Error("apt-get installed postgresql but initdb is still missing");
  return dir;
}

/** As root, the unprivileged user the server runs as; undefined when we are not root. */
function serverUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ["postgres", "pgtest"]) {
    try {
      const uid = Number(execFileSync("id", ["-u", name], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
      return { uid, gid, name };
    } catch {
      // not there: try the next, or create one below
    }
  }
  execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "pgtest"]);
  return serverUser();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export async function startPostgres(opts: { log?: (line: string) => void } = {}): Promise<ThrowawayPostgres> {
  const bin = ensurePostgresInstalled(opts.log);
  const as = serverUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-throwaway-"));
  const data = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  const user = "team_admin";
  const password = crypto.randomBytes(18).toString("hex");
  const pwfile = path.join(dir, "pw");
  fs.writeFileSync(pwfile, password, { mode: 0o600 });
  if (as) {
    fs.chownSync(dir, as.uid, as.gid);
    fs.chownSync(pwfile, as.uid, as.gid);
  }
  const exec = (cmd: string, args: string[]) =>
    run(path.join(bin, cmd), args, {
      cwd: dir,
      env: { ...process.env, LC_ALL: "C", LANG: "C" },
      ...(as ? { uid: as.uid, gid: as.gid } : {}),
    });

  try {
    await exec("initdb", ["-D", data, "-U", user, "--auth=scram-sha-256", `--pwfile=${pwfile}`, "--encoding=UTF8", "--no-sync"]);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err });
  } finally {
    fs.rmSync(pwfile, { force: true });
  }

  let port = 0;
  const host = "127.0.0.1";
  const startOn = async (p: number) => {
    // A test database: durability is not wanted, speed on a loaded 2-core machine is.
    const options = `-p ${p} -c listen_addresses=${host} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    await exec("pg_ctl", ["-D", data, "-l", logFile, "-w", "-t", "120", "-o", options, "start"]);
  };
  const start = async () => {
    for (let attempt = 1; ; attempt++) {
      const p = port || (await freePort());
      try {
        await startOn(p);
        port = p;
        return;
      } catch (err) {
        const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "";
        // Another process took the port between our probe and the server's bind: pick another.
        if (port === 0 && attempt < 5 && /could not bind|Address already in use/i.test(log)) continue;
        throw new Error(`PostgreSQL did not start: ${log.split("\n").slice(-8).join("\n")}`, { cause: err });
      }
    }
  };
  const stop = async () => {
    await exec("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]).catch(() => undefined);
  };
  const url = (database = "postgres") => `postgres://${user}:${password}@${host}:${port}/${database}?sslmode=disable`;
  const sql = async (statement: string, database = "postgres") => {
    const { Client } = await import("pg");
    const client = new Client({ connectionString: url(database) });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };

  try {
    await start();
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    host,
    get port() {
      return port;
    },
    user,
    dir,
    url,
    sql,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name "${name}": use lower-case letters, digits and _`);
      await sql(`CREATE DATABASE ${name}`).catch((err: { code?: string }) => {
        if (err.code !== "42P04") throw err; // 42P04: it exists already
      });
      return url(name);
    },
    stop,
    start,
    async destroy() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const [command, arg] = argv;
  if (command === "ensure") {
    const dir = ensurePostgresInstalled((line) => console.log(line));
    console.log(execFileSync(path.join(dir, "postgres"), ["--version"], { encoding: "utf8" }).trim());
  } else if (command === "start") {
    const pg = await startPostgres({ log: (line) => console.error(line) });
    console.log(`POSTGRES_URL=${pg.url()}`);
    console.log(`POSTGRES_DIR=${pg.dir}`);
  } else if (command === "stop" && arg) {
    const bin = postgresBinDir();
    const data = path.join(arg, "data");
    if (bin && fs.existsSync(data)) {
      const as = serverUser();
      execFileSync(path.join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"], {
        cwd: arg,
        stdio: "ignore",
        ...(as ? { uid: as.uid, gid: as.gid } : {}),
      });
    }
    fs.rmSync(arg, { recursive: true, force: true });
  } else {
    console.error("usage: postgres.js ensure | start | stop <folder printed by start>");
    process.exitCode = 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
