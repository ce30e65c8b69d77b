/**
 * `npm run plugin:pack [out folder]`: writes `pulumi-resource-genesys-v<version>.tar.gz`, the provider
 * plugin as one self-contained archive for `pulumi plugin install resource genesys <version> --file <it>`
 * (default folder `.data/plugin`).
 *
 * The CLI unpacks the archive into `$PULUMI_HOME/plugins/resource-genesys-v<version>/` and runs the
 * `pulumi-resource-genesys` at its top. It installs no dependencies (it would only for an archive with
 * a PulumiPlugin.yaml, through a Node language host), so the archive carries everything the plugin
 * loads: the build of provider/ (dist/provider), the package.json the plugin reads its version from,
 * and the runtime modules: the package's dependencies and, of `@pulumi/pulumi`, only the generated
 * gRPC bindings (`proto/`) with what they require. The dynamic resources' `@pulumi/pulumi` runtime is
 * not loaded by the plugin and is left out (16 MB).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "./pulumi-env";

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readManifest = (dir: string): Manifest => JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Manifest;

/** Where Node finds `name` from a module in `from`: the nearest node_modules up to the root. */
function resolvePackage(name: string, from: string, root: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (dir === root || dir === path.dirname(dir)) return undefined;
  }
}

/**
 * The package folders the plugin can load, starting from `roots` (names required by dist/provider):
 * each package's dependencies, and its optional ones when installed (pg's pg-native is not).
 */
function closure(roots: string[], root: string): Set<string> {
  const found = new Set<string>();
  const visit = (name: string, from: string, optional: boolean) => {
    const dir = resolvePackage(name, from, root);
    if (!dir) {
      if (optional) return;
      throw new Error(
        `plugin:pack: the runtime module ${name} (needed from ${path.relative(root, from) || "."}) is not installed: run npm ci.`,
      );
    }
    if (found.has(dir)) return;
    found.add(dir);
    const manifest = readManifest(dir);
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  for (const name of roots) visit(name, root, false);
  return found;
}

/** Copies a package folder without its own node_modules (the closure lists those it needs). */
function copyPackage(from: string, to: string): void {
  fs.cpSync(from, to, {
    recursive: true,
    filter: (src) => !path.relative(from, src).split(path.sep).includes("node_modules"),
  });
}

export function packPlugin(outDir: string, root = repoRoot()): string {
  const manifest = readManifest(root);
  const main = path.join(root, "dist", "provider", "plugin", "main.js");
  if (!fs.existsSync(main)) throw new Error(`plugin:pack: ${path.relative(root, main)} is missing: run npm run build first.`);
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "genesys-plugin-"));
  try {
    fs.cpSync(path.join(root, "dist", "provider"), path.join(stage, "dist", "provider"), {
      recursive: true,
      filter: (src) => fs.statSync(src).isDirectory() || src.endsWith(".js"),
    });
    // dist/provider/plugin/main.js reads the version from ../../../package.json.
    fs.writeFileSync(
      path.join(stage, "package.json"),
      JSON.stringify({ name: manifest.name, version: manifest.version, private: true, license: "Apache-2.0" }, null, 2) + "\n",
    );
    // The archive's executable sits at its top, beside dist/ (bin/'s copy reaches ../dist).
    fs.writeFileSync(
      path.join(stage, "pulumi-resource-genesys"),
      '#!/usr/bin/env node\n"use strict";\nrequire("./dist/provider/plugin/main.js");\n',
      { mode: 0o755 },
    );

    const pulumiSdk = resolvePackage("@pulumi/pulumi", root, root);
    if (!pulumiSdk) throw new Error("plugin:pack: @pulumi/pulumi is not installed: run npm ci.");
    const sdkTarget = path.join(stage, "node_modules", "@pulumi", "pulumi");
    fs.mkdirSync(sdkTarget, { recursive: true });
    fs.copyFileSync(path.join(pulumiSdk, "package.json"), path.join(sdkTarget, "package.json"));
    fs.cpSync(path.join(pulumiSdk, "proto"), path.join(sdkTarget, "proto"), { recursive: true });

    const roots = [...Object.keys(manifest.dependencies ?? {}), "@grpc/grpc-js", "google-protobuf"];
    for (const dir of closure(roots, root)) {
      copyPackage(dir, path.join(stage, path.relative(root, dir)));
    }

    fs.mkdirSync(outDir, { recursive: true });
    const archive = path.join(path.resolve(outDir), `pulumi-resource-genesys-v${manifest.version}.tar.gz`);
    execFileSync("tar", ["-czf", archive, "-C", stage, "."]);
    return archive;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const archive = packPlugin(process.argv[2] ?? path.join(repoRoot(), ".data", "plugin"));
  process.stdout.write(`${archive}\n`);
}
