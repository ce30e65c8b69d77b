/**
 * WebDeploymentConfiguration and WebDeployment through the real Pulumi CLI against the emulator's
 * real surface: up, no-change preview, a colour change that republishes and moves the deployments
 * in one `up`, draft drift, out-of-band deletion, fail-fast on Error, adoption, destroy, secrets.
 * Out-of-band changes go through the public API with a second OAuth client, as the Genesys UI would.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { printDeployments } from "../../scripts/print-deployments";
import { EmulatorAdmin } from "../support/admin";
import { createGenesysClient } from "../../provider/genesys";
import { WebDeploymentConfigurationsApi } from "../../provider/resources/webDeploymentConfiguration/api";
import { WebDeploymentsApi } from "../../provider/resources/webDeployment/api";
import { stateResource } from "../support/declarations";
import { CLI_TESTS, PulumiProject } from "../support/pulumi-project";
import { markBroken, setTiming, WEB_DEPLOYMENT_TIMING } from "../support/web-deployments";

const owner = { clientId: "wd-e2e-owner", clientSecret: "wd-e2e-secret-7c3d" };
const ui = { clientId: "wd-e2e-ui", clientSecret: "wd-e2e-ui-secret-19be" };
const ADMIN = "wd-e2e-admin";

const messenger = (primaryColor: string) => ({
  resourceName: "messenger",
  name: "E2E Messenger",
  description: "declared by the e2e test",
  languages: ["en-us"],
  defaultLanguage: "en-us",
  messenger: { enabled: true, styles: { primaryColor }, launcherButton: { visibility: "On" } },
  cobrowse: { enabled: true, maskSelectors: ["#card-number"] },
});
const sites = [
  { resourceName: "site-a", name: "Site A", allowedDomains: ["a.example.com"], configuration: "messenger" },
  { resourceName: "site-b", name: "Site B", allowedDomains: ["b.example.com"], configuration: "messenger" },
];

interface Listed {
  id: string;
  name: string;
  status?: string;
  configuration?: { id: string; version: string };
}

// Each step drives the CLI two or three times; on a loaded two-core machine that takes minutes.
describe("web deployments through the real Pulumi CLI", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let project: PulumiProject;
  const api = () => createGenesysClient({ apiUrl: emulator.url, ...ui, policy: { baseDelayMs: 1 } });
  const list = async (what: "configurations" | "deployments"): Promise<Listed[]> =>
    (
      await api().transport.request<{ entities: Listed[] }>({
        operation: `list ${what}`,
        method: "GET",
        path: `/api/v2/webdeployments/${what}`,
        query: { pageSize: 100 },
      })
    ).data.entities;
  const declare = async (declared: { configurations: unknown[]; deployments: unknown[] }) => {
    const file = path.join(project.dir, "web-deployments.json");
    fs.writeFileSync(file, JSON.stringify(declared, null, 2));
    await project.setConfig("webDeploymentsFile", file);
  };
  const deployed = async () =>
    (await project.outputs()).webDeployments as {
      configurations: Record<string, { configurationId: string; version: string }>;
      deployments: Record<string, { deploymentId: string; status: string; snippet: string }>;
    };

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      data: ":memory:",
      clients: [owner, ui],
      adminToken: ADMIN,
      quiet: true,
      webDeployments: WEB_DEPLOYMENT_TIMING,
    });
    project = await PulumiProject.create({
      config: { "genesys:apiUrl": emulator.url, "genesys:clientId": owner.clientId, "genesys:healthTimeoutSeconds": "600" },
      secrets: { "genesys:clientSecret": owner.clientSecret },
      channels: [],
    });
    await declare({ configurations: [messenger("#112233")], deployments: sites });
  });

  afterAll(async () => {
    project?.cleanup();
    await emulator?.close();
  });

  it("up publishes version 1 and brings both deployments to Active on it", async () => {
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const out = await deployed();
    const cfg = out.configurations.messenger!;
    expect(cfg.version).toBe("1");
    for (const name of ["site-a", "site-b"]) {
      expect(out.deployments[name]).toMatchObject({ status: "Active" });
      expect(out.deployments[name]!.snippet).toContain(out.deployments[name]!.deploymentId);
    }
    // What `npm start` prints after its `up`: one row per deployment with id, status and the snippet's first line.
    const printed: string[] = [];
    printDeployments({ stack: project.stack, cwd: project.dir, env: project.env, log: (line) => printed.push(line) });
    const table = printed.join("\n");
    for (const name of ["site-a", "site-b"]) {
      expect(table).toMatch(new RegExp(`${name}\\s+Site [AB]\\s+${out.deployments[name]!.deploymentId}\\s+Active\\s+<script`));
    }
    const live = await list("deployments");
    expect(live.map((d) => d.configuration)).toEqual([
      { id: cfg.configurationId, version: "1", name: "E2E Messenger", selfUri: expect.any(String) },
      { id: cfg.configurationId, version: "1", name: "E2E Messenger", selfUri: expect.any(String) },
    ]);
  });

  it("a second preview reports no changes", async () => {
    const preview = await project.preview(["--expect-no-changes"]);
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
  });

  it("a messenger colour change republishes as version 2 and moves both deployments to it in one up", async () => {
    await declare({ configurations: [messenger("#445566")], deployments: sites });
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const out = await deployed();
    expect(out.configurations.messenger!.version).toBe("2");
    const live = await list("deployments");
    expect(live.map((d) => d.configuration?.version)).toEqual(["2", "2"]);
    const v2 = await new WebDeploymentConfigurationsApi(api().transport).version(out.configurations.messenger!.configurationId, "2");
    expect(v2?.messenger).toMatchObject({ styles: { primaryColor: "#445566" } });
    expect((await project.preview(["--expect-no-changes"])).code).toBe(0);
  });

  it("an unpublished draft edit shows up in refresh and up publishes the declaration again", async () => {
    const id = (await deployed()).configurations.messenger!.configurationId;
    const draft = (await new WebDeploymentConfigurationsApi(api().transport).draft(id))!;
    await new WebDeploymentConfigurationsApi(api().transport).putDraft(id, {
      name: draft.name,
      languages: ["en-us"],
      defaultLanguage: "en-us",
      description: "edited in the UI and never published",
      messenger: draft.messenger,
      cobrowse: draft.cobrowse,
    });
    const refresh = await project.refresh(["--expect-no-changes"]);
    expect(refresh.code).not.toBe(0);
    const state = stateResource(await project.exportState(), "messenger")!;
    expect(state.outputs).toMatchObject({ unpublishedChanges: true, description: "edited in the UI and never published" });
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect((await deployed()).configurations.messenger!.version).toBe("3");
    expect((await new WebDeploymentConfigurationsApi(api().transport).draft(id))?.description).toBe("declared by the e2e test");
    expect((await list("deployments")).map((d) => d.configuration?.version)).toEqual(["3", "3"]);
    expect((await project.preview(["--expect-no-changes"])).code).toBe(0);
  });

  it("a deployment deleted out of band is dropped by refresh and recreated by up", async () => {
    const oldId = (await deployed()).deployments["site-b"]!.deploymentId;
    await new WebDeploymentsApi(api().transport).delete(oldId);
    const refresh = await project.refresh();
    expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);
    expect(stateResource(await project.exportState(), "site-b")).toBeUndefined();
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const recreated = (await list("deployments")).filter((d) => d.name === "Site B");
    expect(recreated).toHaveLength(1);
    expect(recreated[0]!.id).not.toBe(oldId);
    expect((await deployed()).deployments["site-b"]).toMatchObject({ deploymentId: recreated[0]!.id, status: "Active" });
  });

  it("a deployment the server puts in Error fails up at once with the reason, and leaves nothing behind", async () => {
    await markBroken(emulator.url, ADMIN, "flow", "flow-e2e-broken", "inbound message flow flow-e2e-broken has no published version");
    const broken = {
      resourceName: "site-broken",
      name: "Broken site",
      allowedDomains: ["c.example.com"],
      flowId: "flow-e2e-broken",
      configuration: "messenger",
    };
    await declare({ configurations: [messenger("#445566")], deployments: [...sites, broken] });
    // No activation delay: the first read after the create already answers Error.
    await setTiming(emulator.url, ADMIN, { activationDelayMs: 0 });
    const up = await project.up().finally(() => setTiming(emulator.url, ADMIN, WEB_DEPLOYMENT_TIMING));
    expect(up.code).not.toBe(0);
    expect(up.stdout + up.stderr).toMatch(/went to status Error: inbound message flow flow-e2e-broken has no published version/);
    const health = project
      .auditText()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.action === "health" && r.healthStatus === "Error");
    expect(health).toHaveLength(1);
    // The wait ended on the Error status, not on the 600 s deadline the stack allows: one read saw
    // Error and the deployment was deleted straight after it.
    const calls = (await new EmulatorAdmin(emulator.url, ADMIN).requests())
      .filter((r) => r.path.split("?")[0] === `/api/v2/webdeployments/deployments/${String(health[0]!.targetId)}`)
      .map((r) => `${r.method} ${r.status}`);
    expect(calls.slice(0, 2)).toEqual(["GET 200", "DELETE 204"]);
    expect((await list("deployments")).filter((d) => d.name === "Broken site")).toEqual([]);
    await declare({ configurations: [messenger("#445566")], deployments: sites });
    expect((await project.preview(["--expect-no-changes"])).code).toBe(0);
  });

  it("adoption round trip: hand-made configuration and deployment are taken over, then preview shows no changes", async () => {
    const { configuration: made } = await new WebDeploymentConfigurationsApi(api().transport).create({
      name: "Hand-made Messenger",
      languages: ["de"],
      defaultLanguage: "de",
    });
    // A fresh draft is Pending for a moment and Genesys refuses to publish it until it is Active.
    while ((await new WebDeploymentConfigurationsApi(api().transport).draft(made.id))?.status !== "Active")
      await new Promise((r) => setTimeout(r, 50));
    const published = await new WebDeploymentConfigurationsApi(api().transport).publish(made.id);
    const { deployment: site } = await new WebDeploymentsApi(api().transport).create({
      name: "Hand-made site",
      allowAllDomains: true,
      configuration: { id: made.id, version: published.version! },
    });
    const adoptedCfg = {
      ...messenger("#445566"),
      resourceName: "adopted-messenger",
      name: "Hand-made Messenger",
      adoptExistingId: made.id,
    };
    const adoptedSite = {
      resourceName: "adopted-site",
      name: "Hand-made site",
      allowAllDomains: true,
      configuration: "adopted-messenger",
      adoptExistingId: site.id,
    };
    await declare({ configurations: [messenger("#445566"), adoptedCfg], deployments: [...sites, adoptedSite] });
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const state = await project.exportState();
    expect(stateResource(state, "adopted-messenger")!.id).toBe(made.id);
    expect(stateResource(state, "adopted-site")!.id).toBe(site.id);
    expect((await deployed()).configurations["adopted-messenger"]!.version).toBe("2");
    expect((await new WebDeploymentsApi(api().transport).get(site.id))?.configuration.version).toBe("2");
    expect((await project.preview(["--expect-no-changes"])).code).toBe(0);
  });

  it("preview lists every invalid field with its fix and makes no API call", async () => {
    const admin = new EmulatorAdmin(emulator.url, ADMIN);
    const previewOf = async (declared: { configurations: unknown[]; deployments: unknown[] }) => {
      await declare(declared);
      await admin.clearRequests();
      const preview = await project.preview();
      expect(preview.code, preview.stdout + preview.stderr).not.toBe(0);
      expect((await admin.requests()).filter((r) => String(r.path).startsWith("/api/v2/webdeployments"))).toEqual([]);
      return preview.stdout + preview.stderr;
    };
    // The engine stops at the first resource that fails its check, so one preview per resource.
    const cfgOutput = await previewOf({ configurations: [{ ...messenger("orange"), defaultLanguage: "fr" }], deployments: sites });
    expect(cfgOutput).toMatch(/messenger\.styles\.primaryColor.*hex colour such as "#FF4F1F"/);
    expect(cfgOutput).toMatch(/defaultLanguage.*"fr" is not among languages/);
    const siteOutput = await previewOf({
      configurations: [messenger("#445566")],
      deployments: [{ ...sites[0], allowAllDomains: true }, sites[1]],
    });
    expect(siteOutput).toMatch(/allowAllDomains.*cannot be true while allowedDomains lists domains/);
    await declare({ configurations: [messenger("#445566")], deployments: sites });
  });

  it("no secret reaches the state, the outputs or the audit trail", async () => {
    const state = await project.exportState();
    const outputs = JSON.stringify(await project.outputs());
    for (const text of [state, outputs, project.auditText()]) {
      expect(text).not.toContain(owner.clientSecret);
      expect(text).not.toContain(ui.clientSecret);
    }
    expect(project.auditText()).toMatch(/"resourceType":"genesys:WebDeploymentConfiguration"/);
    expect(project.auditText()).toMatch(/"resourceType":"genesys:WebDeployment"/);
  });

  it("destroy leaves no deployment and no configuration", async () => {
    const destroy = await project.destroy();
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    expect(await list("deployments")).toEqual([]);
    expect(await list("configurations")).toEqual([]);
  });
});
