/**
 * The provider plugin through the real CLI and a YAML program, after the first up: `pulumi import`
 * of each type (single and bulk) with no write to the org and generated code that runs as is, drift
 * found by refresh and repaired by up, and a kill -9 of the CLI mid-up that leaves no plugin behind.
 * One org (an in-process emulator) through the default provider (stack config); the objects are
 * made by a first project, then adopted by a second one, as a team adopts what another tool made.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { createGenesysClient } from "../../provider/genesys";
import { WebDeploymentsApi } from "../../provider/resources/webDeployment/api";
import { EmulatorAdmin, type LoggedRequest } from "../support/admin";
import { descendantsOf, describeProcesses, engineAddressesOf, killQuietly, processesWithAddress } from "../support/processes";
import { CLI_TESTS } from "../support/pulumi-project";
import { WEB_DEPLOYMENT_TIMING } from "../support/web-deployments";
import { YamlProject } from "../support/yaml-project";

const ADMIN = "plugin-import-admin";
const org = { clientId: "plugin-import", clientSecret: "plugin-import-secret-5c1e", webhookSecret: "plugin-import-hook-secret-e07b" };
const TYPES = {
  channel: "genesys:index:WebMessagingChannel",
  webhook: "genesys:index:LoadBalancerWebhook",
  messenger: "genesys:index:WebDeploymentConfiguration",
  site: "genesys:index:WebDeployment",
} as const;
type Name = keyof typeof TYPES;

const writesIn = (log: LoggedRequest[]) => log.filter((r) => r.method !== "GET" && r.path.startsWith("/api/"));

describe("pulumi import, drift and kill -9 through the genesys provider plugin", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let receiver: RunningReceiver;
  let admin: EmulatorAdmin;
  let source: YamlProject;
  let adopted: YamlProject;
  const ids = {} as Record<Name, string>;
  let runAddresses = new Set<string>();
  let generatedCode = "";
  const client = () => createGenesysClient({ apiUrl: emulator.url, ...org, policy: { baseDelayMs: 1 } });

  const configure = async (project: YamlProject, stack: string) => {
    await project.ok(["stack", "init"], stack);
    const config: [string, string, boolean?][] = [
      ["genesys:apiUrl", emulator.url],
      ["genesys:clientId", org.clientId],
      ["genesys:clientSecret", org.clientSecret, true],
      ["genesys:webhookSecret", org.webhookSecret, true],
      ["genesys:allowPrivateNetworks", "true"],
      ["genesys:useEnvironment", "false"],
      ["genesys:healthTimeoutSeconds", "600"],
      ["genesys:auditDir", path.join(project.dir, `audit-${stack}`)],
    ];
    for (const [key, value, secret] of config)
      await project.ok(["config", "set", ...(secret ? ["--secret"] : []), "--", key, value], stack);
  };

  const resources = (extra: Record<string, unknown> = {}) => ({
    channel: {
      type: TYPES.channel,
      properties: {
        name: "Imported web chat",
        endpointUrl: "wss://localhost:9443/imported",
        allowedOrigins: ["https://imported.example.com"],
        channelTypes: ["webmessaging"],
        settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50 },
      },
    },
    webhook: {
      type: TYPES.webhook,
      properties: { name: "Imported load balancer", brandId: "${channel.brandId}", callbackUrl: `${receiver.url}/events` },
    },
    messenger: {
      type: TYPES.messenger,
      properties: {
        name: "Imported Messenger",
        languages: ["en-us"],
        defaultLanguage: "en-us",
        messenger: { enabled: true, styles: { primaryColor: "#112233" }, launcherButton: { visibility: "On" } },
      },
    },
    site: {
      type: TYPES.site,
      properties: {
        name: "Imported site",
        allowedDomains: ["imported.example.com"],
        configuration: { id: "${messenger.configurationId}", version: "${messenger.version}" },
      },
    },
    ...extra,
  });

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      data: ":memory:",
      clients: [org],
      adminToken: ADMIN,
      quiet: true,
      webDeployments: WEB_DEPLOYMENT_TIMING,
    });
    admin = new EmulatorAdmin(emulator.url, ADMIN);
    source = YamlProject.create("genesys-made");
    receiver = await startReceiver({ secret: org.webhookSecret, stateFile: path.join(source.dir, "pool.json") });
    source.writeResources(resources());
    await configure(source, "made");
    await source.ok(["up", "--yes", "--skip-preview"], "made");
    for (const [name, r] of await source.resources("made")) ids[name as Name] = r.id!;
    expect(Object.keys(ids).sort()).toEqual(Object.keys(TYPES).sort());
    adopted = YamlProject.create("genesys-adopted");
  });

  afterAll(async () => {
    for (const p of processesWithAddress(runAddresses)) killQuietly(p.pid);
    await receiver?.close();
    await emulator?.close();
    source?.cleanup();
    adopted?.cleanup();
  });

  it("imports each of the four types singly, printing its YAML, with no write to the org", async () => {
    await configure(adopted, "single");
    await admin.clearRequests();
    for (const name of Object.keys(TYPES) as Name[]) {
      const imported = await adopted.cli(["import", TYPES[name], name, ids[name], "--yes"], "single");
      expect(imported.code, imported.stdout + imported.stderr).toBe(0);
      // The code Pulumi generates, in the program's language (the index module shortened).
      expect(imported.stdout).toMatch(new RegExp(`type: ${TYPES[name].replace(":index:", ":(index:)?")}\\n`));
    }
    expect(writesIn(await admin.requests())).toEqual([]);
    const state = await adopted.resources("single");
    expect(Object.fromEntries([...state].map(([name, r]) => [name, r.id]))).toEqual(ids);
    // Imported resources are protected: removing the stack leaves the objects alone.
    await adopted.ok(["stack", "rm", "--force", "--yes"], "single");
  });

  it("imports all four in bulk from resources.json; the generated program previews with no changes and no write", async () => {
    await configure(adopted, "adopt");
    const file = path.join(adopted.dir, "resources.json");
    const generated = path.join(adopted.dir, "generated.yaml");
    fs.writeFileSync(
      file,
      JSON.stringify({ resources: (Object.keys(TYPES) as Name[]).map((name) => ({ type: TYPES[name], name, id: ids[name] })) }),
    );
    await admin.clearRequests();
    const imported = await adopted.cli(["import", "-f", file, "--out", generated, "--yes"], "adopt");
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    expect(Object.fromEntries([...(await adopted.resources("adopt"))].map(([name, r]) => [name, r.id]))).toEqual(ids);

    // The generated code as is, under the project's header.
    generatedCode = fs.readFileSync(generated, "utf8");
    adopted.writeProgram(generatedCode);
    const preview = await adopted.cli(["preview", "--expect-no-changes", "--diff"], "adopt");
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
    expect(writesIn(await admin.requests())).toEqual([]);
  });

  it("a channel edited through the API: refresh finds the edit, up puts the declaration back", async () => {
    const live = (await client().brands.get(ids.channel))!;
    const settings = { ...live.settings, rateLimitThreshold: 777 } as Record<string, unknown>;
    delete settings.healthStatus;
    delete settings.lastHealthCheck;
    const { name, description, endpointUrl, allowedOrigins, channelTypes } = live;
    await client().brands.update(
      ids.channel,
      { name, description, endpointUrl, allowedOrigins, channelTypes, settings } as Parameters<
        ReturnType<typeof client>["brands"]["update"]
      >[1],
      live.version,
    );

    const refresh = await adopted.cli(["refresh", "--yes"], "adopt");
    expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);
    const refreshed = (await adopted.resources("adopt")).get("channel")!;
    expect((refreshed.outputs!.settings as { rateLimitThreshold: number }).rateLimitThreshold).toBe(777);
    expect((await adopted.cli(["preview", "--expect-no-changes"], "adopt")).code).not.toBe(0);

    const up = await adopted.cli(["up", "--yes", "--skip-preview"], "adopt");
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect((await client().brands.get(ids.channel))!.settings.rateLimitThreshold).toBe(50);
    const again = await adopted.cli(["preview", "--expect-no-changes"], "adopt");
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });

  it("a deployment deleted through the API: refresh drops it, up creates it again", async () => {
    expect(await new WebDeploymentsApi(client().transport).delete(ids.site)).toBe(true);
    const refresh = await adopted.cli(["refresh", "--yes"], "adopt");
    expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);
    expect((await adopted.resources("adopt")).has("site")).toBe(false);

    const up = await adopted.cli(["up", "--yes", "--skip-preview"], "adopt");
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const site = (await adopted.resources("adopt")).get("site")!;
    expect(site.id).not.toBe(ids.site);
    expect((await new WebDeploymentsApi(client().transport).get(site.id!))?.name).toBe("Imported site");
  });

  it("kill -9 of the CLI's process group mid-up: within 30 s no plugin process of the run remains", async () => {
    // A second channel whose create never gets an answer: the plugin is mid-operation when the CLI dies.
    const extra = resources().channel;
    adopted.writeProgram(
      `${generatedCode}\n  stuck:\n    type: ${TYPES.channel}\n    properties: ${JSON.stringify({ ...extra.properties, name: "Stuck web chat" })}\n`,
    );
    await admin.clearRequests();
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", hang: true });
    let pid = 0;
    const run = adopted.cli(["up", "--yes", "--skip-preview"], "adopt", { detached: true, onSpawn: (p) => (pid = p) });
    const hungPost = async () => (await admin.requests()).some((r) => r.method === "POST" && r.status === 0);
    const deadline = Date.now() + 90_000;
    while (!(await hungPost())) {
      if (Date.now() > deadline) throw new Error(`the up never reached its create:\n${describeProcesses(descendantsOf(pid))}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const plugins = descendantsOf(pid);
    runAddresses = engineAddressesOf(plugins);
    expect(
      plugins.some((p) => p.argv.some((a) => a.endsWith("pulumi-resource-genesys"))),
      describeProcesses(plugins),
    ).toBe(true);
    expect(runAddresses.size).toBeGreaterThan(0);

    process.kill(-pid, "SIGKILL");
    expect((await run).signal).toBe("SIGKILL");
    // Upstream's YAML language host gives up on a silent engine only after its own 5 minutes
    // (pulumi-yaml's rpcutil.Healthcheck timeout): not this project's process; afterAll ends it.
    const ours = (left: ReturnType<typeof processesWithAddress>) =>
      left.filter((p) => !p.argv.some((a) => a.endsWith("pulumi-language-yaml")));
    const deadline30 = Date.now() + 30_000;
    while (ours(processesWithAddress(runAddresses)).length > 0 && Date.now() < deadline30) await new Promise((r) => setTimeout(r, 250));
    expect(describeProcesses(ours(processesWithAddress(runAddresses)))).toBe("");
    await admin.clearFaults();
  });
});
