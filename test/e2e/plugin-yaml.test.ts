/**
 * A YAML program through the real CLI and the provider plugin (bin/pulumi-resource-genesys, found
 * through Pulumi.yaml's `plugins: providers`): a channel, its load balancer webhook, a Messenger
 * configuration and a deployment in each of two orgs (two emulators), each org through its own
 * explicit `pulumi:providers:genesys` with its own credentials and webhook secret.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { createGenesysClient } from "../../provider/genesys";
import { pulumiEnv, repoRoot } from "../../scripts/pulumi-env";
import { EmulatorAdmin } from "../support/admin";
import { CLI_TESTS, type CliResult } from "../support/pulumi-project";
import { WEB_DEPLOYMENT_TIMING } from "../support/web-deployments";

const ADMIN = "plugin-yaml-admin";
const orgs = {
  a: { clientId: "yaml-org-a", clientSecret: "yaml-org-a-secret-41d7", webhookSecret: "yaml-org-a-hook-secret-88c2" },
  b: { clientId: "yaml-org-b", clientSecret: "yaml-org-b-secret-0e93", webhookSecret: "yaml-org-b-hook-secret-7a15" },
};
type Org = keyof typeof orgs;

interface LiveOrg {
  emulator: RunningEmulator;
  receiver: RunningReceiver;
  admin: EmulatorAdmin;
}

describe("a YAML program using the genesys provider plugin, two orgs", CLI_TESTS, () => {
  const live = {} as Record<Org, LiveOrg>;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const cli = (args: string[], stack = "yaml"): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      // --stack before any "--": what follows it is positional.
      const end = args.includes("--") ? args.indexOf("--") : args.length;
      const full = ["--non-interactive", ...args.slice(0, end), "--stack", stack, ...args.slice(end)];
      const child = spawn("pulumi", full, {
        cwd: dir,
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
      child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill("SIGKILL"), 240_000);
      child.on("error", reject);
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
    });

  const resourcesOf = (org: Org, patch: { maxConcurrentSessions?: number; origin?: string; callbackUrl?: string } = {}) => {
    const p = (name: string) => `${name}${org.toUpperCase()}`;
    const opts = { provider: `\${${p("org")}}` };
    return {
      [p("org")]: {
        type: "pulumi:providers:genesys",
        properties: {
          apiUrl: live[org].emulator.url,
          clientId: orgs[org].clientId,
          clientSecret: { "fn::secret": orgs[org].clientSecret },
          webhookSecret: { "fn::secret": orgs[org].webhookSecret },
          allowPrivateNetworks: true,
          useEnvironment: false,
          auditDir: path.join(dir, `audit-${org}`),
          healthTimeoutSeconds: 600,
        },
      },
      [p("channel")]: {
        type: "genesys:index:WebMessagingChannel",
        properties: {
          name: `Org ${org} web chat`,
          endpointUrl: `wss://localhost:9443/${org}`,
          allowedOrigins: [patch.origin ?? `https://${org}.example.com`],
          channelTypes: ["webmessaging"],
          settings: { maxConcurrentSessions: patch.maxConcurrentSessions ?? 100, rateLimitThreshold: 50 },
        },
        options: opts,
      },
      [p("webhook")]: {
        type: "genesys:index:LoadBalancerWebhook",
        properties: {
          name: `Org ${org} load balancer`,
          brandId: `\${${p("channel")}.brandId}`,
          callbackUrl: patch.callbackUrl ?? `${live[org].receiver.url}/events`,
        },
        options: opts,
      },
      [p("messenger")]: {
        type: "genesys:index:WebDeploymentConfiguration",
        properties: {
          name: `Org ${org} Messenger`,
          languages: ["en-us"],
          defaultLanguage: "en-us",
          messenger: { enabled: true, styles: { primaryColor: "#112233" }, launcherButton: { visibility: "On" } },
        },
        options: opts,
      },
      [p("site")]: {
        type: "genesys:index:WebDeployment",
        properties: {
          name: `Org ${org} site`,
          allowedDomains: [`${org}.example.com`],
          configuration: { id: `\${${p("messenger")}.configurationId}`, version: `\${${p("messenger")}.version}` },
        },
        options: opts,
      },
    };
  };

  /** Pulumi.yaml (JSON is YAML) with both orgs' resources. */
  const writeProgram = (patchB: Parameters<typeof resourcesOf>[1] = {}) => {
    const project = {
      name: "genesys-yaml",
      runtime: "yaml",
      plugins: { providers: [{ name: "genesys", path: path.join(repoRoot(), "bin") }] },
      resources: { ...resourcesOf("a"), ...resourcesOf("b", patchB) },
    };
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), JSON.stringify(project, null, 2));
  };

  const count = async (org: Org, listPath: string): Promise<number> => {
    const client = createGenesysClient({ apiUrl: live[org].emulator.url, ...orgs[org], policy: { baseDelayMs: 1 } });
    const res = await client.transport.request<{ entities: unknown[] }>({ operation: "list", method: "GET", path: listPath });
    return res.data.entities.length;
  };
  const inventory = async (org: Org) => ({
    brands: await count(org, "/api/v2/webchat/brands"),
    webhooks: await count(org, "/api/v2/webhooks/webhooks"),
    configurations: await count(org, "/api/v2/webdeployments/configurations"),
    deployments: await count(org, "/api/v2/webdeployments/deployments"),
  });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-plugin-yaml-"));
    env = pulumiEnv({ backendDir: path.join(dir, "state"), pulumiHome: path.join(repoRoot(), ".pulumi-home") });
    for (const org of ["a", "b"] as const) {
      const emulator = await startEmulator({
        port: 0,
        data: ":memory:",
        clients: [orgs[org]],
        adminToken: ADMIN,
        quiet: true,
        webDeployments: WEB_DEPLOYMENT_TIMING,
      });
      const receiver = await startReceiver({ secret: orgs[org].webhookSecret, stateFile: path.join(dir, `pool-${org}.json`) });
      live[org] = { emulator, receiver, admin: new EmulatorAdmin(emulator.url, ADMIN) };
    }
    writeProgram();
    const init = await cli(["stack", "init"]);
    expect(init.code, init.stdout + init.stderr).toBe(0);
  });

  afterAll(async () => {
    for (const org of Object.values(live)) {
      await org.receiver.close();
      await org.emulator.close();
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("up creates the channel, webhook, configuration and deployment in each org through its own provider", async () => {
    const up = await cli(["up", "--yes", "--skip-preview"]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    for (const org of ["a", "b"] as const) {
      expect(await inventory(org)).toEqual({ brands: 1, webhooks: 1, configurations: 1, deployments: 1 });
      // Each org's load balancer was enrolled with its own channel, signed with its own secret.
      const pool = (await (await fetch(`${live[org].receiver.url}/pool`)).json()) as { members: { name: string }[] };
      expect(pool.members.map((m) => m.name)).toEqual([`Org ${org} web chat`]);
    }
  });

  it("a second preview expects no changes", async () => {
    const preview = await cli(["preview", "--expect-no-changes"]);
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
  });

  it("pulumi import adopts org A's deployment into another stack through the default provider, with no write", async () => {
    const client = createGenesysClient({ apiUrl: live.a.emulator.url, ...orgs.a, policy: { baseDelayMs: 1 } });
    const listed = await client.transport.request<{ entities: { id: string; name: string }[] }>({
      operation: "list",
      method: "GET",
      path: "/api/v2/webdeployments/deployments",
    });
    const site = listed.data.entities.find((d) => d.name === "Org a site")!;
    expect(site).toBeDefined();
    const stack = "adopt";
    expect((await cli(["stack", "init"], stack)).code).toBe(0);
    const config: [string, string, boolean?][] = [
      ["genesys:apiUrl", live.a.emulator.url],
      ["genesys:clientId", orgs.a.clientId],
      ["genesys:clientSecret", orgs.a.clientSecret, true],
      ["genesys:useEnvironment", "false"],
      ["genesys:auditDir", path.join(dir, "audit-adopt")],
    ];
    for (const [key, value, secret] of config) {
      const set = await cli(["config", "set", ...(secret ? ["--secret"] : []), "--", key, value], stack);
      expect(set.code, set.stderr).toBe(0);
    }
    await live.a.admin.clearRequests();
    const imported = await cli(["import", "genesys:index:WebDeployment", "adopted", site.id, "--yes"], stack);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    // The code Pulumi generates for the program, in its language (the index module shortened).
    expect(imported.stdout).toMatch(/type: genesys:(index:)?WebDeployment\n/);
    expect(imported.stdout).toContain("name: Org a site");
    const writes = (await live.a.admin.requests()).filter((r) => r.method !== "GET" && !r.path.startsWith("/oauth"));
    expect(writes).toEqual([]);
    const exported = await cli(["stack", "export"], stack);
    expect(exported.stdout).toContain(`"id": "${site.id}"`);
    expect(exported.stdout).not.toContain(orgs.a.clientSecret);
    // Imported resources are protected: the stack goes without touching the deployment.
    expect((await cli(["stack", "rm", "--force", "--yes"], stack)).code).toBe(0);
  });

  it("the state holds no secret in plain text", async () => {
    const exported = await cli(["stack", "export"]);
    expect(exported.code).toBe(0);
    for (const org of Object.values(orgs)) {
      expect(exported.stdout).not.toContain(org.clientSecret);
      expect(exported.stdout).not.toContain(org.webhookSecret);
    }
    // The plugin's resources carry no serialised provider code (the dynamic provider's __provider).
    expect(exported.stdout).not.toContain("__provider");
  });

  // The engine stops a preview at the first resource whose check fails: that resource's failures all show.
  it("bad input fails preview naming each field, with no API call to either org", async () => {
    writeProgram({ maxConcurrentSessions: 0, origin: "not an origin" });
    for (const org of Object.values(live)) await org.admin.clearRequests();
    const preview = await cli(["preview"]);
    const text = preview.stdout + preview.stderr;
    expect(preview.code, text).not.toBe(0);
    expect(text).toContain("settings.maxConcurrentSessions");
    expect(text).toContain("allowedOrigins[0]");
    for (const org of Object.values(live)) expect(await org.admin.requests()).toEqual([]);
    writeProgram();
  });

  // docs/plugin.md "Preview with bad input in several resources": the engine's limit and its workaround.
  it("bad input in two resources: preview names only the first; a preview per resource with --target names the other's", async () => {
    writeProgram({ maxConcurrentSessions: 0, callbackUrl: "not a url" });
    await live.b.admin.clearRequests();
    const whole = await cli(["preview"]);
    const wholeText = whole.stdout + whole.stderr;
    expect(whole.code, wholeText).not.toBe(0);
    expect(wholeText).toContain("settings.maxConcurrentSessions");
    // The webhook follows the channel (its brandId): the engine stopped before checking it.
    expect(wholeText).not.toContain("callbackUrl");
    const webhookOnly = await cli(["preview", "--target", "**::webhookB"]);
    const webhookText = webhookOnly.stdout + webhookOnly.stderr;
    expect(webhookOnly.code, webhookText).not.toBe(0);
    expect(webhookText).toMatch(/property callbackUrl value \{not a url\} has a problem: "not a url" is not a URL/);
    expect(webhookText).not.toContain("settings.maxConcurrentSessions");
    expect(await live.b.admin.requests()).toEqual([]);
    writeProgram();
  });

  it("destroy leaves both orgs empty", async () => {
    const destroy = await cli(["destroy", "--yes"]);
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    for (const org of ["a", "b"] as const) {
      expect(await inventory(org)).toEqual({ brands: 0, webhooks: 0, configurations: 0, deployments: 0 });
    }
  });
});
