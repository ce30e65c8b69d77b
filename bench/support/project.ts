/**
 * A throwaway Pulumi project for benchmarks, the way test/support/pulumi-project.ts builds one for
 * e2e tests: the repo's build and node_modules linked into a temp folder, its own file backend,
 * and the real CLI as a child process. The program (`main`) is chosen per project, so the same
 * harness runs the channel stack and the no-op floor stack.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { INLINE_PROVIDER_ENV } from "../../provider/resources/loader";
import { pulumiEnv, repoRoot } from "../../scripts/pulumi-env";

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

interface RunOptions {
  check?: boolean;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  onSpawn?: (pid: number) => void;
}

export class BenchProject {
  readonly stack = "bench";
  readonly env: NodeJS.ProcessEnv;

  private constructor(readonly dir: string) {
    this.env = pulumiEnv({ backendDir: path.join(dir, "state"), pulumiHome: path.join(repoRoot(), ".pulumi-home") });
  }

  /** `main` is relative to the repo root, e.g. "dist/stacks/index.js". */
  static async create(
    name: string,
    main: string,
    config: Record<string, string>,
    secrets: Record<string, string> = {},
    opts: {
      inlineProvider?: boolean;
      stacks?: string[];
      /** Pulumi.yaml's content instead of the Node program `main` (JSON is YAML); `main` is then unused. */
      projectFile?: Record<string, unknown>;
      /** The folder node_modules links to, instead of the repository's (a program on the generated SDK). */
      nodeModules?: string;
    } = {},
  ): Promise<BenchProject> {
    const root = repoRoot();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gwm-bench-${name}-`));
    for (const entry of ["dist", "package.json"]) fs.symlinkSync(path.join(root, entry), path.join(dir, entry));
    fs.symlinkSync(opts.nodeModules ?? path.join(root, "node_modules"), path.join(dir, "node_modules"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.yaml"),
      opts.projectFile ? JSON.stringify({ name, ...opts.projectFile }, null, 2) : `name: ${name}\nruntime: nodejs\nmain: ${main}\n`,
    );
    fs.mkdirSync(path.join(dir, "state"));
    const project = new BenchProject(dir);
    // The provider's inline (serialised by value) form, as every state had it before, for a before/after comparison.
    if (opts.inlineProvider) project.env[INLINE_PROVIDER_ENV] = "true";
    for (const stack of opts.stacks ?? [project.stack]) {
      await project.cli(["stack", "init", stack], { check: true });
      // One set-all instead of one CLI start per key: each start costs about half a second.
      const args = ["config", "set-all", "--stack", stack];
      for (const [k, v] of Object.entries(config)) args.push("--plaintext", `${k}=${v}`);
      for (const [k, v] of Object.entries(secrets)) args.push("--secret", `${k}=${v}`);
      await project.cli(args, { check: true });
    }
    return project;
  }

  file(name: string): string {
    return path.join(this.dir, name);
  }

  cli(args: string[], opts: RunOptions = {}): Promise<CliRun> {
    return this.spawn("pulumi", ["--non-interactive", ...args], args, opts);
  }

  /** The many-stacks runner (`npm run deploy -- ...`, compiled) on this project's stacks and backend. */
  deploy(args: string[], opts: RunOptions = {}): Promise<CliRun> {
    return this.spawn(process.execPath, [path.join(repoRoot(), "dist/cli/deploy.js"), "--dir", this.dir, ...args], args, opts);
  }

  private spawn(command: string, argv: string[], args: string[], opts: RunOptions): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn(command, argv, {
        cwd: this.dir,
        env: { ...this.env, ...opts.env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      if (child.pid !== undefined) opts.onSpawn?.(child.pid);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 300_000);
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        const result = { code, stdout, stderr, wallMs: performance.now() - started };
        if (opts.check && code !== 0)
          reject(
            new Error(
              `${command === "pulumi" ? "pulumi" : "deploy"} ${args.join(" ")} failed (${code}):\n${stdout.slice(-4000)}\n${stderr.slice(-4000)}`,
            ),
          );
        else resolve(result);
      });
    });
  }

  up(extra: string[] = []) {
    return this.cli(["up", "--yes", "--skip-preview", "--stack", this.stack, ...extra], { check: true });
  }
  preview(extra: string[] = []) {
    return this.cli(["preview", "--stack", this.stack, ...extra], { check: true });
  }
  refresh(extra: string[] = []) {
    return this.cli(["refresh", "--yes", "--skip-preview", "--stack", this.stack, ...extra], { check: true });
  }
  destroy(extra: string[] = []) {
    return this.cli(["destroy", "--yes", "--skip-preview", "--stack", this.stack, ...extra], { check: true });
  }
  async state(): Promise<{ resources: { type: string; outputs?: Record<string, unknown> }[] }> {
    return JSON.parse((await this.cli(["stack", "export", "--stack", this.stack], { check: true })).stdout).deployment;
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
