/**
 * A throwaway HAProxy for the demo and the tests: a generated minimal configuration (one frontend
 * on loopback, one empty backend whose servers the receiver adds at run time, the admin stats
 * socket in a private folder), run in the foreground as a child process. Installs Debian's
 * `haproxy` package when it is missing and we are root.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { runtimeCommand } from "../lb-receiver/drivers/haproxy-runtime";

export interface HaproxyOptions {
  /** Folder for the configuration and the socket; a new temporary one by default. */
  dir?: string;
  /** Frontend port on 127.0.0.1; a free one by default. */
  port?: number;
  backend?: string;
  /** CA bundle that verifies the channels' certificates (loaded by the configuration, see drivers/haproxy.ts). */
  caFile?: string;
}

export interface RunningHaproxy {
  frontendUrl: string;
  socket: string;
  backend: string;
  caFile: string;
  configFile: string;
  pid(): number | undefined;
  /** Stops and starts HAProxy again with the same configuration: its runtime servers are gone. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function haproxyBinary(): string {
  const found = spawnSync("sh", ["-c", "command -v haproxy"], { encoding: "utf8" }).stdout.trim();
  if (found) return found;
  if (process.getuid?.() === 0) {
    console.log("[haproxy] installing Debian's haproxy package ...");
    for (const args of [["update"], ["install", "-y", "--no-install-recommends", "haproxy"]]) {
      const res = spawnSync("apt-get", args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
      if (res.status !== 0) throw new Error(`apt-get ${args.join(" ")} failed: install HAProxy 2.6+ (apt-get install haproxy)`);
    }
    return spawnSync("sh", ["-c", "command -v haproxy"], { encoding: "utf8" }).stdout.trim();
  }
  throw new Error("HAProxy is not installed: run `sudo apt-get install haproxy` (2.6 or newer), then try again");
}

function haproxyConfig(opts: { socket: string; port: number; backend: string; caFile: string }): string {
  return [
    "global",
    `  stats socket ${opts.socket} mode 600 level admin`,
    "  stats timeout 30s",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 30s",
    "  timeout server 30s",
    "frontend channels_in",
    `  bind 127.0.0.1:${opts.port}`,
    `  default_backend ${opts.backend}`,
    `backend ${opts.backend}`,
    "  balance roundrobin",
    "  # Servers are added at run time by the load balancer receiver; this line makes HAProxy load the",
    "  # CA file, which a runtime `add server ... ca-file` may then use.",
    `  default-server ssl verify required ca-file ${opts.caFile}`,
    "",
  ].join("\n");
}

export async function startHaproxy(opts: HaproxyOptions = {}): Promise<RunningHaproxy> {
  const binary = haproxyBinary();
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "haproxy-"));
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const socket = path.join(dir, "admin.sock");
  const backend = opts.backend ?? "channels";
  const caFile = opts.caFile ?? "@system-ca";
  const port = opts.port ?? (await freePort());
  const configFile = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(configFile, haproxyConfig({ socket, port, backend, caFile }));
  const check = spawnSync(binary, ["-c", "-q", "-f", configFile], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`HAProxy refused the generated configuration ${configFile}:\n${check.stderr}${check.stdout}`);

  let child: ChildProcess | undefined;
  const launch = async () => {
    fs.rmSync(socket, { force: true });
    const proc = spawn(binary, ["-db", "-f", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    child = proc;
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`HAProxy exited (${proc.exitCode}) at start:\n${stderr}`);
      try {
        if ((await runtimeCommand(socket, "show info", 1_000)).includes("Pid:")) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`HAProxy's stats socket ${socket} did not answer within 15 s:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (proc && proc.exitCode === null) {
      await new Promise<void>((resolve) => {
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
        setTimeout(() => proc.kill("SIGKILL"), 5_000).unref();
      });
    }
    // HAProxy leaves its socket file behind; a stale one in .data reads as a running HAProxy.
    fs.rmSync(socket, { force: true });
  };
  await launch();
  return {
    frontendUrl: `http://127.0.0.1:${port}`,
    socket,
    backend,
    caFile,
    configFile,
    pid: () => child?.pid,
    restart: async () => {
      await stop();
      await launch();
    },
    stop,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
