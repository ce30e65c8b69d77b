/**
 * scripts/pulumi-toolchain.sh as a returning user meets it: run again (by a second `npm start`,
 * with .tools/bin first on PATH) it recognises what it took or built and changes nothing, needing
 * no Go; and the CLI it sets up finds its plugins where it expects them, so commands print no
 * "using ... from $PATH" warning.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { repoRoot } from "../../scripts/pulumi-env";
import { run } from "../support/consumer-project";
import { declaration } from "../support/declarations";
import { PulumiProject, CLI_TESTS } from "../support/pulumi-project";

/** What the script runs besides pulumi and go. */
const BASICS = [
  "bash",
  "sh",
  "cat",
  "chmod",
  "cmp",
  "cp",
  "cut",
  "date",
  "dirname",
  "ln",
  "mkdir",
  "mv",
  "realpath",
  "rm",
  "sed",
  "stat",
  "node",
];

/**
 * A folder of links to the basics and nothing else, so "no Go, no Pulumi" holds on any machine
 * (one where go sits in /usr/bin, say).
 */
function basicsOnly(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const tool of BASICS) {
    const found = (process.env.PATH ?? "")
      .split(path.delimiter)
      .map((d) => path.join(d, tool))
      .find((candidate) => fs.existsSync(candidate));
    if (!found) throw new Error(`${tool} is not on PATH`);
    fs.symlinkSync(found, path.join(dir, tool));
  }
  return dir;
}

describe("the toolchain script run again", CLI_TESTS, () => {
  let checkout: string;
  let installed: string;
  let bin: string;
  let basics: string;
  const basePath = () => basics;

  /** A checkout of only what the script reads, and a "Pulumi install" of stubs with no Go around. */
  beforeAll(() => {
    checkout = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-toolchain-"));
    for (const file of ["scripts/pulumi-toolchain.sh", "tools/pulumi-cli/go.mod", "tools/dynamic-provider/engine-watch.cjs"]) {
      fs.mkdirSync(path.dirname(path.join(checkout, file)), { recursive: true });
      fs.copyFileSync(path.join(repoRoot(), file), path.join(checkout, file));
    }
    installed = path.join(checkout, "pulumi-install");
    fs.mkdirSync(installed);
    fs.writeFileSync(path.join(installed, "pulumi"), "#!/bin/sh\necho v3.248.0\n", { mode: 0o755 });
    fs.writeFileSync(path.join(installed, "pulumi-language-nodejs"), "#!/bin/sh\necho upstream host\n", { mode: 0o755 });
    bin = path.join(checkout, ".tools", "bin");
    basics = basicsOnly(path.join(checkout, "basics"));
  });

  afterAll(() => {
    if (checkout) fs.rmSync(checkout, { recursive: true, force: true });
  });

  const toolchain = (pathEnv: string) =>
    run("bash", [path.join(checkout, "scripts", "pulumi-toolchain.sh")], { cwd: checkout, env: { ...process.env, PATH: pathEnv } });
  const inode = (name: string) => fs.statSync(path.join(bin, name)).ino;

  it("with pulumi on PATH and no Go, takes the CLI and the language host installed next to it", async () => {
    const first = await toolchain(`${installed}${path.delimiter}${basePath()}`);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain(`pulumi: taken from ${installed}/pulumi`);
    expect(first.stdout).toContain(`pulumi-language-nodejs: taken from ${installed}/pulumi-language-nodejs`);
    // Real files, not symlinks: the CLI resolves its own path to look for its bundled plugins.
    for (const name of ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs", "pulumi-engine-watch.cjs"]) {
      expect(fs.lstatSync(path.join(bin, name)).isSymbolicLink(), name).toBe(false);
    }
    expect(inode("pulumi")).toBe(fs.statSync(path.join(installed, "pulumi")).ino);
  });

  it("a second run with .tools/bin first on PATH (as npm start has it) changes nothing and needs no Go", async () => {
    const before = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"].map(inode);
    const second = await toolchain([bin, installed, basePath()].join(path.delimiter));
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toContain("pulumi: already taken from");
    expect(second.stdout).toContain("pulumi-language-nodejs: already taken from");
    expect(second.stdout).not.toMatch(/building|ERROR/);
    expect(["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"].map(inode)).toEqual(before);
  });

  it("replaces a symlink put in place of what it took (an older toolchain's layout)", async () => {
    fs.rmSync(path.join(bin, "pulumi"));
    fs.symlinkSync(path.join(installed, "pulumi"), path.join(bin, "pulumi"));
    const again = await toolchain([bin, installed, basePath()].join(path.delimiter));
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain(`pulumi: taken from ${installed}/pulumi`);
    expect(fs.lstatSync(path.join(bin, "pulumi")).isSymbolicLink()).toBe(false);
  });

  it("keeps what it took when that pulumi is no longer on PATH, and takes an upgraded one again", async () => {
    const away = await toolchain([bin, basePath()].join(path.delimiter));
    expect(away.code, away.stdout + away.stderr).toBe(0);
    expect(away.stdout).toContain(`pulumi: keeping the copy taken from ${installed}/pulumi`);

    // An upgrade replaces the installed file.
    fs.rmSync(path.join(installed, "pulumi"));
    fs.writeFileSync(path.join(installed, "pulumi"), "#!/bin/sh\necho v3.249.0\n", { mode: 0o755 });
    const upgraded = await toolchain([bin, installed, basePath()].join(path.delimiter));
    expect(upgraded.code, upgraded.stdout + upgraded.stderr).toBe(0);
    expect(upgraded.stdout).toContain(`pulumi: taken from ${installed}/pulumi`);
    expect(upgraded.stdout).toContain("ready: v3.249.0");
  });

  it("without pulumi anywhere and without Go, fails saying what to install", async () => {
    fs.rmSync(path.join(checkout, ".tools"), { recursive: true, force: true });
    const bare = await toolchain(basePath());
    expect(bare.code).toBe(1);
    expect(bare.stdout).toContain("ERROR: neither 'pulumi' on PATH nor the Go toolchain (go) to build it is available.");
    expect(bare.stdout).toContain("Install Go 1.25+ (https://go.dev/dl) or the Pulumi CLI 3.248.0");
  });
});

describe("the CLI set up by the toolchain", CLI_TESTS, () => {
  const owner = { clientId: "toolchain-owner", clientSecret: "toolchain-owner-secret-3b9f" };
  let emulator: RunningEmulator;
  let project: PulumiProject;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, data: ":memory:", clients: [owner], quiet: true });
    project = await PulumiProject.create({
      config: { "genesys:apiUrl": emulator.url, "genesys:clientId": owner.clientId, "genesys:allowPrivateNetworks": "true" },
      secrets: { "genesys:clientSecret": owner.clientSecret },
      channels: [declaration("quiet")],
    });
  });

  afterAll(async () => {
    project?.cleanup();
    await emulator?.close();
  });

  it("finds the language host and the provider shim next to itself: preview prints no 'using ... from $PATH' warning", async () => {
    const preview = await project.preview();
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(/\+ 2 to create/); // the stack and the channel
    expect(preview.stdout + preview.stderr).not.toMatch(/from \$PATH/);
  }, 120_000);
});
