/**
 * Team mode's test bench: a throwaway Pulumi project whose stacks share one PostgreSQL (state,
 * rate budget, audit trail) and one emulator, driven by the real deploy CLI (dist/cli/deploy.js,
 * which drives the real Pulumi CLI through the Automation API) or by the Pulumi CLI itself.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ADMIN_TOKEN_HEADER } from "../../emulator";
import { repoRoot, toolsBin, withoutProjectVariables } from "../../scripts/pulumi-env";

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export const CLIENT = { id: "team-client", secret: "team-client-secret-5f3a" };
export const ADMIN = "team-admin-token";

export function channelsFor(stack: string, count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => ({
    resourceName: `ch${i}`,
    name: `${stack} channel ${i}`,
    endpointUrl: `https://localhost:9443/${stack}/${i}`,
    allowedOrigins: ["https://www.example.com"],
    channelTypes: ["webmessaging"],
    settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50 },
  }));
}

/**
 * A runner's shell as README "Team mode" sets it up: its own passphrase and Pulumi home (nothing of
 * the dev stack's), PULUMI_BACKEND_URL and the `settings` exported (GENESYS_COORDINATION_URL,
 * GENESYS_AUDIT_URL), the OAuth client from the CI job's secrets, and Pulumi on PATH.
 */
export interface SpawnOptions {
  timeoutMs?: number;
  onSpawn?: (child: ChildProcess) => void;
  /** Instead of the runner's shell (a runner that forgot an export). */
  env?: NodeJS.ProcessEnv;
}

export class TeamProject {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly passphrase = `team-passphrase-${Math.random().toString(36).slice(2)}`;

  constructor(
    readonly backend: string,
    settings: Record<string, string>,
  ) {
    const root = repoRoot();
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-team-"));
    for (const entry of ["dist", "node_modules", "package.json"]) fs.symlinkSync(path.join(root, entry), path.join(this.dir, entry));
    // The build is current here (tests run after npm run build): the program's build itself, not
    // Pulumi.yaml's stacks/main.cjs, which would run tsc -b before every CLI run of the test.
    const pulumiYaml = fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8").replace(/^main: .*$/m, "main: dist/stacks/index.js");
    fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), pulumiYaml);
    fs.mkdirSync(path.join(this.dir, ".pulumi-home"));
    this.env = {
      ...withoutProjectVariables(process.env),
      PATH: `${toolsBin()}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: path.join(this.dir, ".pulumi-home"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_BACKEND_URL: backend,
      PULUMI_CONFIG_PASSPHRASE: this.passphrase,
      GENESYSCLOUD_OAUTHCLIENT_ID: CLIENT.id,
      GENESYSCLOUD_OAUTHCLIENT_SECRET: CLIENT.secret,
      // GENESYS_COORDINATION_URL, GENESYS_AUDIT_URL: as each test exports them.
      ...settings,
    };
  }

  /** Stack settings as a stack file (plain values: the test's own throwaway services). */
  declareStack(stack: string, channels: unknown[], config: Record<string, string>): void {
    const file = path.join(this.dir, `channels-${stack}.json`);
    fs.writeFileSync(file, JSON.stringify(channels, null, 2));
    const lines = Object.entries({ "genesys-webmessaging:channelsFile": file, ...config }).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
    fs.writeFileSync(path.join(this.dir, `Pulumi.${stack}.yaml`), `config:\n${lines.join("\n")}\n`);
  }

  /**
   * `pulumi stack init` under the runner's own passphrase, as a user who set the stack up by hand
   * has it: its secrets salt is the team's, and no other passphrase opens it.
   */
  async initStack(stack: string): Promise<void> {
    const init = await this.pulumi(["stack", "init", stack, "--no-select"]);
    if (init.code !== 0) throw new Error(`pulumi stack init ${stack} failed: ${init.stderr}`);
  }

  /** `npm run deploy -- ...` (the compiled script; the suite builds first). */
  deploy(args: string[], opts: SpawnOptions = {}): Promise<Run> {
    return this.spawn(process.execPath, [path.join(repoRoot(), "dist/cli/deploy.js"), "--dir", this.dir, ...args], opts);
  }

  pulumi(args: string[], opts: SpawnOptions = {}): Promise<Run> {
    return this.spawn("pulumi", ["--non-interactive", ...args], opts);
  }

  private spawn(cmd: string, args: string[], opts: SpawnOptions): Promise<Run> {
    return new Promise((resolve, reject) => {
      // Own process group: a test can kill -9 a runner together with its CLI and plugins.
      const child = spawn(cmd, args, { cwd: this.dir, env: opts.env ?? this.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      opts.onSpawn?.(child);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => killGroup(child), opts.timeoutMs ?? 400_000);
      child.on("error", reject);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
    });
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * kill -9 of a runner and everything it started. The CLI starts its language host and providers in
 * process groups of their own, so the tree is found through /proc (as a CI job's container would
 * take them all down) before anything dies and reparents.
 */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): void {
  if (!child.pid) return;
  const parents = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const tree: number[] = [];
  for (const queue = [child.pid]; queue.length > 0;) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(parents.get(pid) ?? []));
  }
  for (const pid of tree) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Waits for a condition, polling; the timeout only bounds a test that would otherwise hang. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface LoggedRequest {
  time: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  clientId?: string;
}

export async function emulatorRequests(url: string): Promise<LoggedRequest[]> {
  const res = await fetch(`${url}/__admin/requests`, { headers: { [ADMIN_TOKEN_HEADER]: ADMIN } });
  if (!res.ok) throw new Error(`admin requests: ${res.status}`);
  return ((await res.json()) as { requests: LoggedRequest[] }).requests;
}

export async function clearEmulatorRequests(url: string): Promise<void> {
  await fetch(`${url}/__admin/requests`, { method: "DELETE", headers: { [ADMIN_TOKEN_HEADER]: ADMIN } });
}

export async function brandNames(url: string): Promise<string[]> {
  const tokenRes = await fetch(`${url}/oauth/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const names: string[] = [];
  for (let page = 1; ; page++) {
    const res = await fetch(`${url}/api/v2/webchat/brands?pageSize=100&pageNumber=${page}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { entities: { name: string }[]; pageCount?: number };
    names.push(...body.entities.map((b) => b.name));
    if (!body.pageCount || page >= body.pageCount) return names;
  }
}
