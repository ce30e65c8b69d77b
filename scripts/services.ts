/**
 * Starting the project's local services (emulator, load balancer receiver) as child processes
 * and waiting until they say they are ready; used by `npm start` and the e2e tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as net from "node:net";

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

export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
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
