/**
 * A TypeScript program on the provider plugin's generated Node.js SDK (sdk/nodejs), through the
 * real CLI and the default provider (stack config): examples/node-sdk. The SDK is compiled with its
 * own tsconfig, as a package would be before publishing, and installed into the program's
 * node_modules; the program is type-checked against it, compiled, and run by the Node language host.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pulumiEnv, repoRoot } from "../../scripts/pulumi-env";
import { PluginOrg, runCommand } from "../support/plugin-org";
import { CLI_TESTS } from "../support/pulumi-project";

const credentials = { clientId: "node-sdk-org", clientSecret: "node-sdk-secret-93af", webhookSecret: "node-sdk-hook-secret-1c6d" };
const SDK_PACKAGE = "@genesys-webmessaging/pulumi-genesys";

describe("a TypeScript program using the generated Node.js SDK", CLI_TESTS, () => {
  let org: PluginOrg;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const root = repoRoot();
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");

  const cli = (args: string[]) => runCommand("pulumi", ["--non-interactive", "--stack", "dev", ...args], { cwd: dir, env });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-plugin-node-sdk-"));
    const modules = path.join(dir, "node_modules");
    // The SDK as its package would hold it: the compiled files and package.json (its version is
    // the plugin version the engine asks for).
    const sdk = path.join(modules, ...SDK_PACKAGE.split("/"));
    const sdkBuild = await runCommand("node", [tsc, "-p", path.join(root, "sdk", "nodejs", "tsconfig.json"), "--outDir", sdk], {
      cwd: root,
    });
    expect(sdkBuild.code, sdkBuild.stdout + sdkBuild.stderr).toBe(0);
    fs.copyFileSync(path.join(root, "sdk", "nodejs", "package.json"), path.join(sdk, "package.json"));
    // One @pulumi/pulumi for the program and the SDK: the repository's.
    fs.symlinkSync(path.join(root, "node_modules", "@pulumi"), path.join(modules, "@pulumi"));

    fs.copyFileSync(path.join(root, "examples", "node-sdk", "index.ts"), path.join(dir, "index.ts"));
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        module: "commonjs",
        moduleResolution: "node",
        strict: true,
        skipLibCheck: true,
        typeRoots: [path.join(root, "node_modules", "@types")],
        types: ["node"],
      },
      files: ["index.ts"],
    };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    const programBuild = await runCommand("node", [tsc, "-p", dir], { cwd: dir });
    expect(programBuild.code, programBuild.stdout + programBuild.stderr).toBe(0);

    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "genesys-node-sdk", private: true, main: "index.js" }));
    const project = {
      name: "genesys-node-sdk",
      runtime: "nodejs",
      main: "index.js",
      plugins: { providers: [{ name: "genesys", path: path.join(root, "bin") }] },
    };
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), JSON.stringify(project, null, 2));

    org = await PluginOrg.start(credentials, dir, "plugin-node-sdk-admin");
    env = pulumiEnv({ backendDir: path.join(dir, "state"), pulumiHome: path.join(root, ".pulumi-home") });
    expect((await cli(["stack", "init"])).code).toBe(0);
    // One CLI run for all settings (each run costs seconds on a loaded machine).
    const set = await cli([
      "config",
      "set-all",
      ...["--plaintext", `genesys:apiUrl=${org.emulator.url}`],
      ...["--plaintext", `genesys:clientId=${credentials.clientId}`],
      ...["--secret", `genesys:clientSecret=${credentials.clientSecret}`],
      ...["--secret", `genesys:webhookSecret=${credentials.webhookSecret}`],
      ...["--plaintext", "genesys:allowPrivateNetworks=true"],
      ...["--plaintext", "genesys:useEnvironment=false"],
      ...["--plaintext", `genesys:auditDir=${path.join(dir, "audit")}`],
      ...["--plaintext", `callbackUrl=${org.receiver.url}/events`],
    ]);
    expect(set.code, set.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    await org?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("up creates the channel, its webhook, a configuration and a deployment, and enrols the channel", async () => {
    const up = await cli(["up", "--yes", "--skip-preview"]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(await org.inventory()).toEqual({ brands: 1, webhooks: 1, configurations: 1, deployments: 1 });
    expect(await org.poolMembers()).toEqual(["Node SDK web chat"]);
  });

  it("a second preview expects no changes", async () => {
    const preview = await cli(["preview", "--expect-no-changes"]);
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
  });

  it("the state holds the plugin's resources, no serialised provider and neither secret", async () => {
    const exported = await cli(["stack", "export"]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain('"type": "genesys:index:WebDeployment"');
    expect(exported.stdout).not.toContain("__provider");
    expect(exported.stdout).not.toContain(credentials.clientSecret);
    expect(exported.stdout).not.toContain(credentials.webhookSecret);
  });

  it("destroy leaves the org empty", async () => {
    const destroy = await cli(["destroy", "--yes"]);
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    expect(await org.inventory()).toEqual({ brands: 0, webhooks: 0, configurations: 0, deployments: 0 });
  });
});
