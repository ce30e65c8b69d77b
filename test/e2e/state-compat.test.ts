/**
 * A stack deployed by older code needs no migration: test/fixtures/state-compat holds the state and
 * the emulator's data of a stack that an earlier commit deployed (every resource kind, in both
 * provider forms Pulumi can have stored: the module form and the inline form). Imported as it is,
 * today's code previews and refreshes it with no change and no write to the API, and destroys it
 * through the provider references the old state stored.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { writeSelfLink } from "../../scripts/self-link";
import { EmulatorAdmin, type LoggedRequest } from "../support/admin";
import { apiClient } from "../support/genesys";
import { CLI_TESTS, PulumiProject } from "../support/pulumi-project";

const FIXTURE = path.join(__dirname, "..", "fixtures", "state-compat");
const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURE, "fixture.json"), "utf8")) as {
  stack: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  inlineResources: string[];
};
const ADMIN = "state-compat-admin";

interface StoredResource {
  urn: string;
  id?: string;
  type: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}
const storedResources = (exported: string): StoredResource[] =>
  (JSON.parse(exported) as { deployment: { resources: StoredResource[] } }).deployment.resources;
const nameOf = (r: StoredResource) => r.urn.split("::").pop()!;
const DYNAMIC = /^pulumi-nodejs:dynamic\/genesys:/;

/** A write is any call that can change the org; reads and the token exchange are not. */
const writes = (log: LoggedRequest[]) => log.filter((r) => r.method !== "GET" && r.method !== "HEAD" && r.path !== "/oauth/token");

const LISTS = {
  channels: "/api/v2/webchat/brands",
  webhooks: "/api/v2/webhooks/webhooks",
  configurations: "/api/v2/webdeployments/configurations",
  deployments: "/api/v2/webdeployments/deployments",
} as const;

describe("a stack deployed by older code, with today's code", CLI_TESTS, () => {
  let dataDir: string;
  let emulator: RunningEmulator;
  let admin: EmulatorAdmin;
  let project: PulumiProject;
  const fixtureState = fs.readFileSync(path.join(FIXTURE, "state.json"), "utf8");

  const live = async (): Promise<Record<keyof typeof LISTS, string[]>> => {
    const api = apiClient(emulator.url, fixture.clientId, fixture.clientSecret);
    const names = async (listPath: string) =>
      (
        await api.transport.request<{ entities: { name: string }[] }>({
          operation: "list",
          method: "GET",
          path: listPath,
          query: { pageSize: 100 },
        })
      ).data.entities
        .map((e) => e.name)
        .sort();
    return {
      channels: await names(LISTS.channels),
      webhooks: await names(LISTS.webhooks),
      configurations: await names(LISTS.configurations),
      deployments: await names(LISTS.deployments),
    };
  };

  beforeAll(async () => {
    writeSelfLink();
    // The fixture's data file is never opened in place: the emulator writes to it (tokens, deletes).
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-state-compat-data-"));
    const data = path.join(dataDir, "emulator.sqlite");
    fs.copyFileSync(path.join(FIXTURE, "emulator.sqlite"), data);
    emulator = await startEmulator({
      port: 0,
      data,
      clients: [{ clientId: fixture.clientId, clientSecret: fixture.clientSecret }],
      adminToken: ADMIN,
      quiet: true,
      webDeployments: { activationDelayMs: 300, deletionDelayMs: 200, draftSettleMs: 100 },
    });
    admin = new EmulatorAdmin(emulator.url, ADMIN);
    // The recorded apiUrl names the emulator that wrote the fixture; a user's stack config names
    // where their org is now, as this does.
    project = await PulumiProject.create({
      stack: fixture.stack,
      config: {
        "genesys:apiUrl": emulator.url,
        "genesys:clientId": fixture.clientId,
        "genesys:allowPrivateNetworks": "true",
        declarationsFile: "declarations.json",
      },
      secrets: { "genesys:clientSecret": fixture.clientSecret, "genesys:webhookSecret": fixture.webhookSecret },
    });
    for (const file of ["program.cjs", "declarations.json"]) fs.copyFileSync(path.join(FIXTURE, file), path.join(project.dir, file));
    const yaml = path.join(project.dir, "Pulumi.yaml");
    fs.writeFileSync(yaml, fs.readFileSync(yaml, "utf8").replace(/^main: .*$/m, "main: program.cjs"));
    // Refresh and destroy do not run the program: they configure the provider from the stack config
    // recorded in the state, which names the emulator that wrote the fixture. A user's org stays
    // where it was; here the emulator moved, so that one recorded value is moved with it.
    const state = JSON.parse(fixtureState) as { deployment: { resources: StoredResource[] } };
    const providers = state.deployment.resources.filter((r) => r.type === "pulumi:providers:pulumi-nodejs");
    expect(providers.map((r) => [typeof r.inputs?.["genesys:apiUrl"], typeof r.outputs?.["genesys:apiUrl"]])).toEqual([
      ["string", "string"],
    ]);
    for (const r of providers) r.inputs!["genesys:apiUrl"] = r.outputs!["genesys:apiUrl"] = emulator.url;
    const stateFile = path.join(project.dir, "fixture-state.json");
    fs.writeFileSync(stateFile, JSON.stringify(state));
    await project.cli(["stack", "import", "--stack", project.stack, "--file", stateFile], { check: true });
    await admin.clearRequests();
  });

  afterAll(async () => {
    project?.cleanup();
    await emulator?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("the fixture holds every resource kind, in the module form and the inline form", () => {
    const dynamic = storedResources(fixtureState).filter((r) => DYNAMIC.test(r.type));
    expect(dynamic.map((r) => `${r.type.replace(DYNAMIC, "")} ${nameOf(r)}`).sort()).toEqual([
      "LoadBalancerWebhook support-lb-sync",
      "WebDeployment shop-site",
      "WebDeployment support-site",
      "WebDeploymentConfiguration messenger",
      "WebMessagingChannel legacy",
      "WebMessagingChannel support",
    ]);
    const form = (r: StoredResource) =>
      String(r.outputs?.__provider).includes('require("genesys-webmessaging-pulumi/providers/') ? "module" : "inline";
    expect(Object.fromEntries(dynamic.map((r) => [nameOf(r), form(r)]))).toEqual({
      legacy: "inline",
      support: "module",
      "support-lb-sync": "module",
      messenger: "module",
      "support-site": "module",
      "shop-site": "module",
    });
    expect(fixture.inlineResources).toEqual(["legacy"]);
  });

  it("preview plans no change and sends no write to the API", async () => {
    const preview = await project.preview(["--expect-no-changes", "--diff"]);
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
    expect(writes(await admin.requests())).toEqual([]);
  });

  it("refresh reads every resource through the provider stored in the old state and finds no drift", async () => {
    await admin.clearRequests();
    const refresh = await project.refresh(["--expect-no-changes", "--diff"]);
    expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);
    const log = await admin.requests();
    expect(writes(log)).toEqual([]);
    // What today's read returns is what the old code stored: a renamed or reshaped output would be
    // written over by refresh without a word (it diffs inputs only) and then break whatever reads it.
    // Inputs are left out: a channel's read returns its inputs with the brand id carried in them, by design.
    const withoutProvider = (props: Record<string, unknown> | undefined) => {
      const { __provider: _provider, ...rest } = props ?? {};
      return rest;
    };
    const props = (exported: string) =>
      Object.fromEntries(
        storedResources(exported)
          .filter((r) => DYNAMIC.test(r.type))
          .map((r) => [nameOf(r), { id: r.id, outputs: withoutProvider(r.outputs) }]),
      );
    expect(props(await project.exportState())).toEqual(props(fixtureState));
    // Each resource was really read by its id: a refresh that skipped them would pass on any state.
    const read = log.filter((r) => r.method === "GET").map((r) => r.path);
    const dynamic = storedResources(fixtureState).filter((r) => DYNAMIC.test(r.type));
    expect(dynamic).toHaveLength(6);
    expect(Object.fromEntries(dynamic.map((r) => [nameOf(r), read.some((p) => p.includes(`/${r.id!}`))]))).toEqual(
      Object.fromEntries(dynamic.map((r) => [nameOf(r), true])),
    );
  });

  it("destroy deletes everything through the stored providers and leaves the emulator empty", async () => {
    expect(await live()).toEqual({
      channels: ["Legacy Channel", "Support Channel"],
      webhooks: ["lb-sync-support"],
      configurations: ["State Compat Messenger"],
      deployments: ["Shop", "Support site"],
    });
    await admin.clearRequests();
    const destroy = await project.destroy();
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    // The same log and filter that found no write above sees destroy's: one DELETE per resource at least.
    expect(writes(await admin.requests()).filter((r) => r.method === "DELETE").length).toBeGreaterThanOrEqual(6);
    expect(await live()).toEqual({ channels: [], webhooks: [], configurations: [], deployments: [] });
  });
});
