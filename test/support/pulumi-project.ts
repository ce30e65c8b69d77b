/**
 * A throwaway Pulumi project for e2e tests: the repo's compiled program and node_modules linked
 * into a temp folder, its own file backend, stack config file and audit folder, and the real
 * CLI run as a child process.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiEnv, repoRoot } from "../../scripts/pulumi-env";

/**
 * Options for a describe whose tests drive the real CLI: each runs it several times (5 to 15 s a run,
 * much more on a loaded two-core CI machine), so the suite's 30 s default would fail them for load.
 */
export const CLI_TESTS = { timeout: 300_000 } as const;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface ProjectOptions {
  stack?: string;
  /** Stack config; keys without a namespace go to the project namespace. */
  config?: Record<string, string>;
  secrets?: Record<string, string>;
  channels?: unknown[];
}

export class PulumiProject {
  readonly dir: string;
  readonly stack: string;
  readonly auditDir: string;
  readonly env: NodeJS.ProcessEnv;

  private constructor(dir: string, stack: string) {
    this.dir = dir;
    this.stack = stack;
    this.auditDir = path.join(dir, "audit");
    this.env = pulumiEnv({ backendDir: path.join(dir, "state"), pulumiHome: path.join(repoRoot(), ".pulumi-home") });
  }

  static async create(opts: ProjectOptions = {}): Promise<PulumiProject> {
    const root = repoRoot();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-e2e-"));
    for (const entry of ["dist", "node_modules", "package.json"]) fs.symlinkSync(path.join(root, entry), path.join(dir, entry));
    // The build is current here (tests run after npm run build): the program's build itself, not
    // Pulumi.yaml's stacks/main.cjs, which would run tsc -b before every CLI run of the test.
    const pulumiYaml = fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8").replace(/^main: .*$/m, "main: dist/stacks/index.js");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), pulumiYaml);
    fs.mkdirSync(path.join(dir, "state"));
    const project = new PulumiProject(dir, opts.stack ?? "e2e");
    await project.cli(["stack", "init", project.stack], { check: true });
    await project.setConfig("genesys:auditDir", project.auditDir);
    for (const [key, value] of Object.entries(opts.config ?? {})) await project.setConfig(key, value);
    for (const [key, value] of Object.entries(opts.secrets ?? {})) await project.setConfig(key, value, true);
    if (opts.channels) await project.declareChannels(opts.channels);
    return project;
  }

  async setConfig(key: string, value: string, secret = false): Promise<void> {
    // The value goes through stdin-free args; secrets are encrypted by the CLI before they touch disk.
    await this.cli(["config", "set", ...(secret ? ["--secret"] : []), "--stack", this.stack, "--", key, value], { check: true });
  }

  /** Replaces the declared channels (the program reads them from this JSON file). */
  async declareChannels(channels: unknown[]): Promise<void> {
    const file = path.join(this.dir, "channels.json");
    fs.writeFileSync(file, JSON.stringify(channels, null, 2));
    await this.setConfig("channelsFile", file);
  }

  cli(args: string[], opts: { check?: boolean; timeoutMs?: number; onSpawn?: (pid: number) => void } = {}): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      // Its own process group, so a test can kill the CLI together with its plugins, like a crash.
      const child = spawn("pulumi", ["--non-interactive", ...args], {
        cwd: this.dir,
        env: this.env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      if (child.pid && opts.onSpawn) opts.onSpawn(child.pid);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 180_000);
      child.on("error", reject);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        const result = { code, signal, stdout, stderr };
        if (opts.check && code !== 0) reject(new Error(`pulumi ${args.join(" ")} failed (${code ?? signal}):\n${stdout}\n${stderr}`));
        else resolve(result);
      });
    });
  }

  up(extra: string[] = [], opts: { onSpawn?: (pid: number) => void } = {}) {
    return this.cli(["up", "--yes", "--skip-preview", "--stack", this.stack, ...extra], opts);
  }
  preview(extra: string[] = []) {
    return this.cli(["preview", "--stack", this.stack, ...extra]);
  }
  refresh(extra: string[] = []) {
    return this.cli(["refresh", "--yes", "--stack", this.stack, ...extra]);
  }
  destroy(extra: string[] = []) {
    return this.cli(["destroy", "--yes", "--stack", this.stack, ...extra]);
  }

  async exportState(): Promise<string> {
    return (await this.cli(["stack", "export", "--stack", this.stack], { check: true })).stdout;
  }

  async outputs(): Promise<Record<string, any>> {
    return JSON.parse((await this.cli(["stack", "output", "--json", "--stack", this.stack], { check: true })).stdout);
  }

  /** All audit records written during this project's runs. */
  auditText(): string {
    if (!fs.existsSync(this.auditDir)) return "";
    return fs
      .readdirSync(this.auditDir)
      .filter((f) => f.endsWith(".jsonl"))
      .map((f) => fs.readFileSync(path.join(this.auditDir, f), "utf8"))
      .join("");
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
