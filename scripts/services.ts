/**
 * Starting the project's local services (emulator, load balancer receiver) as child processes
 * and waiting until they say they are ready; used by `npm start` and the e2e tests. A service can
 * also be started to outlive us (`npm start -- --keep`): in its own session, writing to a log
 * file, with a pid file that `npm start -- --stop` uses to stop it.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

export interface StartedService {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** True when something accepts TCP connections on host:port. */
export function isListening(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Spawns `node script args` and resolves once a stdout line matches `ready` (whose first group is
 * the URL). Fails with the child's output when it exits first or stays silent past the timeout.
 */
export function startService(opts: {
  script: string;
  args: string[];
  ready: RegExp;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  detached?: boolean;
}): Promise<StartedService> {
  const child = spawn(process.execPath, [opts.script, ...opts.args], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: opts.detached ?? false,
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${opts.script} did not report ready within ${opts.timeoutMs ?? 15_000} ms:\n${output}`));
    }, opts.timeoutMs ?? 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = opts.ready.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        // Keep draining so a chatty child never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({
          url: match[1] ?? "",
          child,
          stop: () => stopChild(child),
        });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${opts.script} exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });
}

function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** What a pid file of a kept service holds, so `--stop` can tell it from an unrelated process. */
interface KeptRecord {
  name: string;
  pid: number;
  url: string;
  script: string;
  log: string;
}

export interface KeptService extends KeptRecord {
  pidFile: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts `node script args` so that it outlives this process: its own session (a Ctrl-C in our
 * terminal does not reach it), output appended to `log`, not tied to us by a pipe, and recorded
 * in `pidFile`. Resolves once the log shows `ready`.
 */
export async function startKeptService(opts: {
  name: string;
  script: string;
  args: string[];
  ready: RegExp;
  pidFile: string;
  log: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}): Promise<KeptService> {
  fs.mkdirSync(path.dirname(opts.log), { recursive: true });
  const from = fs.existsSync(opts.log) ? fs.statSync(opts.log).size : 0;
  const fd = fs.openSync(opts.log, "a");
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [opts.script, ...opts.args], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ["ignore", fd, fd],
      detached: true,
    });
  } finally {
    fs.closeSync(fd);
  }
  child.unref();
  let exited: string | undefined;
  child.once("exit", (code, signal) => (exited = String(signal ?? code)));
  const logSince = () => fs.readFileSync(opts.log, "utf8").slice(from);
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    const match = opts.ready.exec(logSince());
    if (match && child.pid !== undefined) {
      const record: KeptRecord = { name: opts.name, pid: child.pid, url: match[1] ?? "", script: opts.script, log: opts.log };
      fs.writeFileSync(opts.pidFile, JSON.stringify(record) + "\n");
      return { ...record, pidFile: opts.pidFile };
    }
    if (exited !== undefined) throw new Error(`${opts.name} exited (${exited}) before it was ready; its log ${opts.log}:\n${logSince()}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${opts.name} did not report ready within ${opts.timeoutMs ?? 15_000} ms; its log ${opts.log}:\n${logSince()}`);
    }
    await sleep(50);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // A zombie answers signal 0 until its parent reaps it, which in a container may be never.
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/** The command line of a process, to check that a pid still belongs to the service we started. */
function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    try {
      return execFileSync("ps", ["-o", "command=", "-p", String(pid)], { stdio: ["ignore", "pipe", "ignore"] }).toString();
    } catch {
      return "";
    }
  }
}

/** The kept services whose pid files are in `dir`, with whether each still runs. */
export function keptServices(dir: string): (KeptService & { running: boolean })[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".pid"))
    .flatMap((f) => {
      const pidFile = path.join(dir, f);
      try {
        const record = JSON.parse(fs.readFileSync(pidFile, "utf8")) as KeptRecord;
        // A pid is reused after the service died (or the machine restarted): only the same script counts.
        const running = alive(record.pid) && commandLine(record.pid).includes(record.script);
        return [{ ...record, pidFile, running }];
      } catch {
        return [];
      }
    });
}

/** Stops one kept service (SIGTERM, then SIGKILL after the grace period) and removes its pid file. */
export async function stopKeptService(service: KeptService & { running: boolean }, graceMs = 10_000): Promise<"stopped" | "not running"> {
  let result: "stopped" | "not running" = "not running";
  if (service.running) {
    result = "stopped";
    process.kill(service.pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (alive(service.pid) && Date.now() < deadline) await sleep(50);
    if (alive(service.pid)) process.kill(service.pid, "SIGKILL");
  }
  fs.rmSync(service.pidFile, { force: true });
  return result;
}
