/**
 * A Pulumi project that uses this provider the way another team would: in its own folder outside
 * the checkout, with the packed tarball installed into its own node_modules, a TypeScript program
 * that the language host runs as it is (no tsc step), driven by the real CLI from .tools/bin.
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
function npmEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(base).filter(([key]) => !/^npm_/i.test(key)));
}

/**
 * `npm pack` as a user runs it, prepack script included (it rebuilds dist/ from the sources), in a
 * copy of the checkout: rebuilding this checkout's dist/ would rewrite files that other test files
 * running in parallel are loading. The copy holds what a clone holds (tracked files, and files not
 * yet committed unless git ignores them) and shares the checkout's node_modules.
 */
export async function packProvider(destination: string): Promise<string> {
  const root = repoRoot();
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-pack-src-"));
  try {
    for (const file of await sourceFiles(root)) {
      if (!fs.existsSync(path.join(root, file))) continue; // deleted in the working tree
      fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      fs.copyFileSync(path.join(root, file), path.join(copy, file));
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"));
    const packed = await run("npm", ["pack", "--json", "--pack-destination", destination], {
      cwd: copy,
      env: npmEnv(),
      check: true,
      timeoutMs: 300_000, // prepack compiles the whole project: a minute or two on a busy 2-core machine
    });
    // npm prints the prepack script's output before the JSON report.
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("["))) as { filename: string }[];
    return path.join(destination, info.filename);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

/** Build and run products a clone does not have, left out when the tree is not a git checkout of its own. */
const NOT_SOURCES = new Set(["node_modules", "dist", ".tools", ".data", ".pulumi-state", ".pulumi-home", "test-results", "audit-logs"]);

/**
 * What a clone holds: git's list when `root` is the top of its own work tree; otherwise (the copy
 * that scripts/node-lts.sh runs the suites in, made from that same list, inside the checkout's
 * ignored .tools/) every file but the build and run products.
 */
async function sourceFiles(root: string): Promise<string[]> {
  const top = await run("git", ["rev-parse", "--show-toplevel"], { cwd: root });
  if (top.code === 0 && fs.realpathSync(top.stdout.trim()) === fs.realpathSync(root)) {
    const listed = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, check: true });
    return listed.stdout.split("\0").filter(Boolean);
  }
  const files: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? path.join(rel, entry.name) : entry.name;
      if (!rel && NOT_SOURCES.has(entry.name)) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) files.push(child);
    }
  };
  walk("");
  return files;
}

/** The TypeScript this checkout builds with, so the consumer's ts-node and type checks use the same. */
function typescriptVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(repoRoot(), "node_modules", "typescript", "package.json"), "utf8")) as { version: string })
    .version;
}

/** Module settings a consumer's tsconfig may use; the package's types must resolve under each. */
export const RESOLUTIONS = {
  // Pulumi's own TypeScript template: CommonJS with classic node resolution (`types`, no `exports`).
  node: { module: "commonjs", moduleResolution: "node" },
  node16: { module: "node16", moduleResolution: "node16" },
  nodenext: { module: "nodenext", moduleResolution: "nodenext" },
  bundler: { module: "esnext", moduleResolution: "bundler" },
} as const;

export class ConsumerProject {
  readonly env: NodeJS.ProcessEnv;

  private constructor(
    readonly dir: string,
    readonly stack: string,
  ) {
    this.env = pulumiEnv({ backendDir: path.join(dir, "state"), pulumiHome: path.join(repoRoot(), ".pulumi-home") });
  }

  /**
   * A folder in the system temp dir laid out as `pulumi new typescript` lays one out: package.json
   * with `main: index.ts`, Pulumi.yaml, tsconfig.json and the program, with no build step. Pulumi's
   * Node language host runs index.ts through ts-node, type-checking it on the way.
   */
  static scaffold(opts: { tarball: string; program: string; stack?: string }): ConsumerProject {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-consumer-"));
    const project = new ConsumerProject(dir, opts.stack ?? "consumer");
    const write = (name: string, content: unknown) =>
      fs.writeFileSync(path.join(dir, name), typeof content === "string" ? content : JSON.stringify(content, null, 2) + "\n");
    write("package.json", {
      name: "gwm-consumer",
      private: true,
      main: "index.ts",
      dependencies: { "genesys-webmessaging-pulumi": `file:${opts.tarball}`, "@pulumi/pulumi": "3.248.0" },
      devDependencies: { typescript: typescriptVersion() },
    });
    write("Pulumi.yaml", "name: gwm-consumer\nruntime: nodejs\n");
    write("tsconfig.json", {
      compilerOptions: { target: "ES2020", ...RESOLUTIONS.node, strict: true, skipLibCheck: true, types: [], outDir: "bin" },
      files: ["index.ts"],
    });
    write("index.ts", opts.program);
    fs.mkdirSync(path.join(dir, "state"), { recursive: true });
    return project;
  }

  install(): Promise<CliResult> {
    // The repo's `npm ci` has already put every tarball in the npm cache; the registry is only
    // asked about what is missing there.
    return run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: this.dir, env: npmEnv(), timeoutMs: 120_000 });
  }

  /** Type-checks the program against the installed package with one module resolution (no output). */
  typecheck(resolution: keyof typeof RESOLUTIONS): Promise<CliResult> {
    const tsc = path.join(this.dir, "node_modules", "typescript", "bin", "tsc");
    const { module, moduleResolution } = RESOLUTIONS[resolution];
    return run(process.execPath, [tsc, "-p", this.dir, "--noEmit", "--module", module, "--moduleResolution", moduleResolution], {
      cwd: this.dir,
    });
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
