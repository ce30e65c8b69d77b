/**
 * A Pulumi project that uses this provider the way another team would: in its own folder outside
 * the checkout, with the packed tarball installed into its own node_modules, compiled by its own
 * tsconfig and driven by the real CLI from .tools/bin.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pulumiEnv, repoRoot } from "../../scripts/pulumi-env";
import type { CliResult } from "./pulumi-project";

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  check?: boolean;
}

export function run(command: string, args: string[], opts: RunOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (opts.check && code !== 0) reject(new Error(`${command} ${args.join(" ")} failed (${code ?? signal}):\n${stdout}\n${stderr}`));
      else resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * npm run by `npm test` exports npm_config_* and npm_package_* variables that describe this
 * checkout; an npm started from a test would read them and act on the repo instead of the folder
 * it was started in.
 */
export function npmEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(base).filter(([key]) => !/^npm_/i.test(key)));
}

/** Packs the checkout as it is built now (dist/ is built by `npm test` before vitest starts). */
export async function packProvider(destination: string): Promise<string> {
  const root = repoRoot();
  if (!fs.existsSync(path.join(root, "dist", "provider", "index.js")))
    throw new Error("dist/provider is missing: run `npm run build` first");
  // --ignore-scripts skips prepack: rebuilding dist/ here would rewrite files that other e2e
  // files running in parallel are loading.
  const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", destination], {
    cwd: root,
    env: npmEnv(),
    check: true,
  });
  const [info] = JSON.parse(packed.stdout) as { filename: string }[];
  return path.join(destination, info.filename);
}

export class ConsumerProject {
  readonly env: NodeJS.ProcessEnv;

  private constructor(
    readonly dir: string,
    readonly stack: string,
  ) {
    this.env = pulumiEnv({ backendDir: path.join(dir, "state"), pulumiHome: path.join(repoRoot(), ".pulumi-home") });
  }

  /** A folder in the system temp dir with its own package.json, Pulumi.yaml, tsconfig and backend. */
  static scaffold(opts: { tarball: string; program: string; stack?: string }): ConsumerProject {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-consumer-"));
    const project = new ConsumerProject(dir, opts.stack ?? "consumer");
    const write = (name: string, content: unknown) =>
      fs.writeFileSync(path.join(dir, name), typeof content === "string" ? content : JSON.stringify(content, null, 2) + "\n");
    write("package.json", {
      name: "gwm-consumer",
      private: true,
      dependencies: { "genesys-webmessaging-pulumi": `file:${opts.tarball}`, "@pulumi/pulumi": "3.248.0" },
    });
    write("Pulumi.yaml", "name: gwm-consumer\nruntime: nodejs\nmain: index.js\n");
    // node16 resolution honours the package's `exports` map and its `types` conditions, as a
    // consumer on a current TypeScript setup would.
    write("tsconfig.json", {
      compilerOptions: {
        target: "ES2022",
        module: "node16",
        moduleResolution: "node16",
        strict: true,
        skipLibCheck: true,
        types: [],
        outDir: ".",
      },
      files: ["index.ts"],
    });
    write("index.ts", opts.program);
    fs.mkdirSync(path.join(dir, "state"));
    return project;
  }

  install(): Promise<CliResult> {
    // The repo's `npm ci` has already put every tarball in the npm cache; the registry is only
    // asked about what is missing there.
    return run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: this.dir, env: npmEnv(), timeoutMs: 120_000 });
  }

  compile(): Promise<CliResult> {
    const tsc = path.join(repoRoot(), "node_modules", "typescript", "bin", "tsc");
    return run(process.execPath, [tsc, "-p", this.dir], { cwd: this.dir });
  }

  cli(args: string[], opts: { check?: boolean; timeoutMs?: number } = {}): Promise<CliResult> {
    return run("pulumi", ["--non-interactive", ...args], {
      cwd: this.dir,
      env: this.env,
      timeoutMs: opts.timeoutMs ?? 180_000,
      check: opts.check,
    });
  }

  async initStack(config: Record<string, string>, secrets: Record<string, string> = {}): Promise<void> {
    await this.cli(["stack", "init", this.stack], { check: true });
    const set = async (key: string, value: string, secret: boolean) =>
      this.cli(["config", "set", ...(secret ? ["--secret"] : []), "--stack", this.stack, "--", key, value], { check: true });
    for (const [key, value] of Object.entries(config)) await set(key, value, false);
    for (const [key, value] of Object.entries(secrets)) await set(key, value, true);
  }

  up() {
    return this.cli(["up", "--yes", "--skip-preview", "--stack", this.stack]);
  }
  destroy() {
    return this.cli(["destroy", "--yes", "--stack", this.stack]);
  }

  async deployment(): Promise<{ resources: { type: string; outputs?: Record<string, unknown> }[] }> {
    return JSON.parse((await this.cli(["stack", "export", "--stack", this.stack], { check: true })).stdout).deployment;
  }

  async outputs(): Promise<Record<string, any>> {
    return JSON.parse((await this.cli(["stack", "output", "--json", "--stack", this.stack], { check: true })).stdout);
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
