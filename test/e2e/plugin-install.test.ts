/**
 * The plugin as an installed plugin: `npm run plugin:pack`'s archive installed with
 * `pulumi plugin install resource genesys <version> --file <archive>` into an empty PULUMI_HOME, then a
 * YAML program with no `plugins:` section at all runs on it through the real CLI. The installed copy
 * lives under a temp folder with no node_modules above it, so the run also proves the archive carries
 * every module the plugin loads.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pulumiEnv, repoRoot, toolsBin } from "../../scripts/pulumi-env";
import { packPlugin } from "../../scripts/plugin-pack";
import { PluginOrg, runCommand } from "../support/plugin-org";
import { CLI_TESTS } from "../support/pulumi-project";

const ADMIN = "plugin-install-admin";
const credentials = { clientId: "plugin-install", clientSecret: "plugin-install-secret-9d2a", webhookSecret: "plugin-install-hook-4b71" };
const VERSION = (JSON.parse(fs.readFileSync(path.join(repoRoot(), "package.json"), "utf8")) as { version: string }).version;

describe("the plugin installed with pulumi plugin install --file", CLI_TESTS, () => {
  let dir: string;
  let home: string;
  let project: string;
  let archive: string;
  let org: PluginOrg;
  let env: NodeJS.ProcessEnv;

  const pulumi = (args: string[], cwd = project) => runCommand("pulumi", ["--non-interactive", ...args], { cwd, env });
  const ok = async (args: string[]) => {
    const result = await pulumi(args);
    expect(result.code, `pulumi ${args.join(" ")}:\n${result.stdout}\n${result.stderr}`).toBe(0);
    return result;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-plugin-install-"));
    home = path.join(dir, "pulumi-home");
    project = path.join(dir, "project");
    fs.mkdirSync(project);
    fs.mkdirSync(path.join(dir, "state"));
    archive = packPlugin(path.join(dir, "pack"));
    org = await PluginOrg.start(credentials, dir, ADMIN);
    // Only the toolchain on PATH (no node_modules/.bin), and no plugin but those installed in this
    // home: an ambient or bin/ copy of the plugin cannot stand in for the installed one.
    const base = pulumiEnv({ backendDir: path.join(dir, "state"), pulumiHome: home });
    env = {
      ...base,
      PATH: [toolsBin(), path.dirname(process.execPath), "/usr/bin", "/bin"].join(path.delimiter),
      PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
    };
    fs.writeFileSync(
      path.join(project, "Pulumi.yaml"),
      [
        "name: installed-plugin",
        "runtime: yaml",
        "resources:",
        "  channel:",
        "    type: genesys:index:WebMessagingChannel",
        "    properties:",
        "      name: Installed plugin web chat",
        "      endpointUrl: wss://localhost:9443/installed",
        "      allowedOrigins: [https://installed.example.com]",
        "      channelTypes: [webmessaging]",
        "      settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50 }",
        "  webhook:",
        "    type: genesys:index:LoadBalancerWebhook",
        "    properties:",
        "      name: Installed plugin load balancer",
        "      brandId: ${channel.brandId}",
        `      callbackUrl: ${org.receiver.url}/events`,
        "outputs:",
        "  brandId: ${channel.brandId}",
        "",
      ].join("\n"),
    );
  }, 120_000);

  afterAll(async () => {
    await org?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("installs from the archive into PULUMI_HOME, executable at the plugin folder's top", async () => {
    expect(path.basename(archive)).toBe(`pulumi-resource-genesys-v${VERSION}.tar.gz`);
    await ok(["plugin", "install", "resource", "genesys", VERSION, "--file", archive]);
    const installed = path.join(home, "plugins", `resource-genesys-v${VERSION}`);
    expect(fs.statSync(path.join(installed, "pulumi-resource-genesys")).mode & 0o100).toBe(0o100);
    const listed = await ok(["plugin", "ls", "--json"]);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: "genesys", kind: "resource", version: VERSION })]);
  });

  it("runs a YAML program with no plugins section: up, preview with no changes, destroy", async () => {
    await ok(["stack", "init", "dev"]);
    const config: [string, string, boolean?][] = [
      ["genesys:apiUrl", org.emulator.url],
      ["genesys:clientId", credentials.clientId],
      ["genesys:clientSecret", credentials.clientSecret, true],
      ["genesys:webhookSecret", credentials.webhookSecret, true],
      ["genesys:allowPrivateNetworks", "true"],
      ["genesys:useEnvironment", "false"],
      ["genesys:healthTimeoutSeconds", "600"],
      ["genesys:auditDir", path.join(dir, "audit")],
    ];
    for (const [key, value, secret] of config)
      await ok(["config", "set", "--stack", "dev", ...(secret ? ["--secret"] : []), "--", key, value]);

    await ok(["up", "--yes", "--skip-preview", "--stack", "dev"]);
    expect(await org.inventory()).toEqual({ brands: 1, webhooks: 1, configurations: 0, deployments: 0 });
    expect(await org.poolMembers()).toEqual(["Installed plugin web chat"]);
    const brandId = (await ok(["stack", "output", "brandId", "--stack", "dev"])).stdout.trim();
    expect(brandId).toMatch(/\S/);

    await ok(["preview", "--expect-no-changes", "--stack", "dev"]);
    await ok(["destroy", "--yes", "--skip-preview", "--stack", "dev"]);
    expect(await org.inventory()).toEqual({ brands: 0, webhooks: 0, configurations: 0, deployments: 0 });
  });
});
