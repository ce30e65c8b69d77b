/**
 * The machine's process table, read from /proc (Linux), for tests that prove the project leaves
 * no process behind: the plugins of a killed `pulumi up`, and whatever a test suite started.
 */
import * as fs from "node:fs";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  argv: string[];
}

/** Whether this machine has a /proc to read; the checks below are Linux-only. */
export const canListProcesses = fs.existsSync("/proc/self/stat");

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z") return undefined; // a zombie has exited; only its parent's wait is missing
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    return { pid, ppid: Number(fields[1]), argv };
  } catch {
    return undefined; // exited while we were reading
  }
}

export function listProcesses(): ProcessInfo[] {
  return fs
    .readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((p): p is ProcessInfo => p !== undefined);
}

/** Every live descendant of pid (children, their children, ...). */
export function descendantsOf(pid: number, table: ProcessInfo[] = listProcesses()): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  let frontier = new Set([pid]);
  while (frontier.size > 0) {
    const next = table.filter((p) => frontier.has(p.ppid));
    found.push(...next);
    frontier = new Set(next.map((p) => p.pid));
  }
  return found;
}

const LOOPBACK_ADDRESS = /^(127\.0\.0\.1|localhost|\[::1\]):\d+$/;

/**
 * The gRPC addresses a Pulumi run passes to its plugins and program: the engine's (the language
 * host's and each provider's positional argument, the program's --engine) and the resource
 * monitor's (the program's --monitor). Both live in the CLI process, so they identify one run.
 */
export function engineAddressesOf(processes: ProcessInfo[]): Set<string> {
  return new Set(processes.flatMap((p) => p.argv.filter((arg) => LOOPBACK_ADDRESS.test(arg))));
}

/** Live processes started with any of these addresses as an argument. */
export function processesWithAddress(addresses: Set<string>): ProcessInfo[] {
  if (addresses.size === 0) return [];
  return listProcesses().filter((p) => p.argv.some((arg) => addresses.has(arg)));
}

/** Polls until no process holds any of the addresses, or the time is up; returns what is left. */
export async function waitUntilGone(addresses: Set<string>, timeoutMs: number): Promise<ProcessInfo[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = processesWithAddress(addresses);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** "pid 123: node .../dynamic-provider/index.js 127.0.0.1:4567", one per line, for failure messages. */
export function describeProcesses(processes: ProcessInfo[]): string {
  return processes.map((p) => `pid ${p.pid}: ${p.argv.join(" ").slice(0, 300)}`).join("\n");
}

/** The value of one environment variable of a process, when we may read its environment. */
export function environmentOf(pid: number, name: string): string | undefined {
  try {
    const prefix = `${name}=`;
    const entry = fs
      .readFileSync(`/proc/${pid}/environ`, "utf8")
      .split("\0")
      .find((e) => e.startsWith(prefix));
    return entry?.slice(prefix.length);
  } catch {
    return undefined;
  }
}

/** SIGKILL, ignoring a process that has already gone. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Whether pid is a live process (a zombie, exited but not yet reaped, is not). */
export function isRunning(pid: number): boolean {
  return readProcess(pid) !== undefined;
}

/** Polls until pid has exited, or the time is up; resolves whether it exited. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
}
