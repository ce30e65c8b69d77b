/**
 * A throwaway YAML Pulumi project that loads the provider plugin from the repo's bin/ (Pulumi.yaml's
 * `plugins: providers`), with its own file backend, run through the real CLI.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiEnv, repoRoot } from "../../scripts/pulumi-env";
import type { CliResult } from "./pulumi-project";

export interface StateResource {
  urn: string;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  protect?: boolean;
}

export class YamlProject {
  readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly dir: string,
    readonly name: string,
  ) {
    this.env = pulumiEnv({ backendDir: path.join(dir, "state"), pulumiHome: path.join(repoRoot(), ".pulumi-home") });
  }

  /** A new project folder with its own file backend. */
  static create(name: string): YamlProject {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `gwm-${name}-`));
    const project = new YamlProject(dir, name);
    fs.mkdirSync(path.join(dir, "state"), { recursive: true });
    project.writeProgram("");
    return project;
  }

  /** Pulumi.yaml: the project header, then `body` (YAML text such as the code `pulumi import` generates). */
  writeProgram(body: string): void {
    const header = [
      `name: ${this.name}`,
      "runtime: yaml",
      "plugins:",
      "  providers:",
      "    - name: genesys",
      `      path: ${JSON.stringify(path.join(repoRoot(), "bin"))}`,
    ].join("\n");
    fs.writeFileSync(path.join(this.dir, "Pulumi.yaml"), `${header}\n${body}\n`);
  }

  /** Pulumi.yaml with resources given as objects (JSON is YAML). */
  writeResources(resources: Record<string, unknown>): void {
    this.writeProgram(`resources: ${JSON.stringify(resources, null, 2)}`);
  }

  cli(
    args: string[],
    stack: string,
    opts: { timeoutMs?: number; onSpawn?: (pid: number) => void; detached?: boolean } = {},
  ): Promise<CliResult> {
    return new Promise((resolve, reject) => {
      // --stack before any "--": what follows it is positional.
      const end = args.includes("--") ? args.indexOf("--") : args.length;
      const full = ["--non-interactive", ...args.slice(0, end), "--stack", stack, ...args.slice(end)];
      // Its own process group when asked, so a test can kill the CLI with its plugins, like a crash.
      const child = spawn("pulumi", full, { cwd: this.dir, env: this.env, stdio: ["ignore", "pipe", "pipe"], detached: opts.detached });
      if (child.pid && opts.onSpawn) opts.onSpawn(child.pid);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 240_000);
      child.on("error", reject);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
    });
  }

  /** Runs the CLI and fails with its output unless it exits with 0. */
  async ok(args: string[], stack: string): Promise<CliResult> {
    const result = await this.cli(args, stack);
    if (result.code !== 0)
      throw new Error(`pulumi ${args.join(" ")} failed (${result.code ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
    return result;
  }

  /** The stack's resources of the genesys package, by name. */
  async resources(stack: string): Promise<Map<string, StateResource>> {
    const exported = JSON.parse((await this.ok(["stack", "export"], stack)).stdout) as {
      deployment: { resources?: StateResource[] };
    };
    const found = (exported.deployment.resources ?? []).filter((r) => r.type.startsWith("genesys:index:"));
    return new Map(found.map((r) => [r.urn.split("::").pop()!, r]));
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
