/**
 * A newcomer's shell for the newcomer tests: a login shell's environment (none of this checkout's
 * runs, of vitest or of `npm run`), this checkout's Pulumi CLI on PATH and no Go, commands run in
 * their own process group so a timeout kills all they started, and the README's shell blocks as
 * printed. Not a test file: vitest's newcomer config includes `*.newcomer.ts` only.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
export { listening } from "../support/listening";

export const outer = path.resolve(__dirname, "../..");
export const EMULATOR = "http://127.0.0.1:8787";
export const PORTS = [8787, 8788];
export const MINUTE = 60_000;

export interface Run {
  code: number | null;
  output: string;
}

/** The PATH of a machine with Node, git and an installed Pulumi CLI, but no Go. */
function newcomerPath(): string {
  const dirs = (process.env.PATH ?? "").split(path.delimiter).filter((d) => d !== "");
  const withoutGo = dirs.filter((d) => !fs.existsSync(path.join(d, "go")) || fs.existsSync(path.join(d, "node")));
  return [path.join(outer, ".tools", "bin"), ...withoutGo].join(path.delimiter);
}

export function newcomerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Only what a user's login shell has; npm_* and INIT_CWD are what `npm run` adds (they would
    // tell the commands under test where a caller was), except how to reach the registry.
    const registry = /^npm_config_(registry|(https?_)?proxy|noproxy|cafile|strict_ssl)$/.test(k);
    if (!registry && (/^(PULUMI_|GENESYS|VITEST|npm_|NODE_)/.test(k) || ["CHANNEL_SIGNING_KEY", "AUDIT_DIR", "INIT_CWD"].includes(k)))
      continue;
    env[k] = v;
  }
  return {
    ...env,
    PATH: newcomerPath(),
    // A shell set up for a real org: none of it may reach the dev stack.
    CHANNEL_SIGNING_KEY: "a-signing-key-for-prod",
    GENESYSCLOUD_AUTH_URL: "https://login.nowhere.invalid",
    GENESYS_WEBHOOK_SECRET: "prod-webhook-secret",
    PULUMI_CONFIG_PASSPHRASE: "the-passphrase-of-my-prod-stacks",
    FORCE_COLOR: "0",
    NO_COLOR: "1",
  };
}

const running = new Set<ChildProcess>();

export function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

function killAll(): void {
  for (const child of running) killGroup(child);
}

/** Starts a command line in its own process group, so a timeout (or a test) can kill it with all it started. */
export function launch(
  command: string,
  cwd: string,
  opts: { env?: NodeJS.ProcessEnv; timeoutMs: number },
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn("bash", ["-c", command], { cwd, env: opts.env ?? newcomerEnv(), detached: true, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const done = new Promise<Run>((resolve) => {
    const timer = setTimeout(() => {
      output += `\n[newcomer] timed out after ${opts.timeoutMs} ms: ${command}\n`;
      killGroup(child);
    }, opts.timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, output });
    });
  });
  return { child, done };
}

export function sh(command: string, cwd: string, opts: { env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<Run> {
  return launch(command, cwd, opts).done;
}

/**
 * After a test file: kills what its commands left running, stops what `npm start -- --keep` left in
 * the clone, kills whatever else still runs from it (a staged crash may leave plugins behind), and
 * removes the temporary folder.
 */
export async function cleanUp(clone: string | undefined, tmp: string | undefined): Promise<void> {
  killAll();
  if (clone && fs.existsSync(path.join(clone, "dist", "scripts", "start.js"))) {
    await sh("node dist/scripts/start.js --stop", clone, { timeoutMs: MINUTE });
  }
  if (clone) for (const pid of processesRunningFrom(clone)) process.kill(pid, "SIGKILL");
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

export function processesRunningFrom(dir: string): number[] {
  if (!fs.existsSync("/proc")) return [];
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The brands the emulator holds, asked as any API client would. */
export async function brands(): Promise<{ id: string; name: string }[]> {
  const token = await fetch(`${EMULATOR}/oauth/token?grant_type=client_credentials`, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from("dev-client:dev-secret").toString("base64")}` },
  });
  const { access_token } = (await token.json()) as { access_token: string };
  const list = await fetch(`${EMULATOR}/api/v2/webchat/brands?pageSize=100&pageNumber=1`, {
    headers: { authorization: `Bearer ${access_token}` },
  });
  return ((await list.json()) as { entities: { id: string; name: string }[] }).entities;
}

/**
 * A ```sh block of the README, found by the `<!-- newcomer-check: NAME` comment before it, as its
 * set-up (the `export` lines) and its commands, comments dropped, continuation lines joined.
 */
export function readmeBlock(readme: string, name: string): { setup: string; commands: string[] } {
  const at = readme.indexOf(`<!-- newcomer-check: ${name}`);
  if (at < 0) throw new Error(`README.md has no "<!-- newcomer-check: ${name}" block`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error(`no sh block after "newcomer-check: ${name}"`);
  const lines = block[1]!
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l !== "");
  return { setup: lines.filter((l) => l.startsWith("export ")).join("\n"), commands: lines.filter((l) => !l.startsWith("export ")) };
}
