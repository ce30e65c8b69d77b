/**
 * WebDeploymentConfiguration and WebDeployment provider methods against the in-process emulator's
 * real surface (/api/v2/webdeployments): publish and versions, drift in the draft, fail-fast on
 * Error, asynchronous delete, adoption, nothing half-made, and the audit record of each.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { createGenesysClient } from "../../provider/genesys";
import { WebDeploymentConfigurationsApi } from "../../provider/resources/webDeploymentConfiguration/api";
import { WebDeploymentsApi } from "../../provider/resources/webDeployment/api";
import { diffConfiguration, lifecycle as configurations } from "../../provider/resources/webDeploymentConfiguration/lifecycle";
import { diffDeployment, lifecycle as deployment } from "../../provider/resources/webDeployment/lifecycle";
import { EmulatorAdmin, type LoggedRequest } from "../support/admin";
import { auditLines, testContext } from "../support/provider-context";
import { markBroken, setTiming, WEB_DEPLOYMENT_TIMING } from "../support/web-deployments";
import { devWebDeployments } from "../../stacks/web-deployments";

const owner = { clientId: "wd-provider", clientSecret: "wd-provider-secret-5e1a" };
const ui = { clientId: "wd-admin-ui", clientSecret: "wd-ui-secret-a41c" };
const readOnly = { clientId: "wd-readonly", clientSecret: "wd-readonly-secret-2b7e", scopes: ["webdeployments:readonly"] };
const ADMIN = "wd-admin";

let emulator: RunningEmulator;
let admin: EmulatorAdmin;

const configuration = (name: string, patch: Record<string, unknown> = {}) => ({
  name,
  description: "integration",
  languages: ["en-us"],
  defaultLanguage: "en-us",
  messenger: { enabled: true, styles: { primaryColor: "#112233" }, launcherButton: { visibility: "On" } },
  ...patch,
});

const deploymentOf = (name: string, config: { id: string; version: string }, patch: Record<string, unknown> = {}) => ({
  name,
  allowedDomains: ["www.example.com"],
  configuration: config,
  ...patch,
});

const uiClient = () => createGenesysClient({ apiUrl: emulator.url, ...ui, policy: { baseDelayMs: 1 } });
const ctxFor = () => testContext(emulator.url, owner, { publishRetrySeconds: 2 });

/** The calls the emulator logged on one deployment, in order: "POST" for its create, "<METHOD> <status>" for the rest. */
function deploymentCalls(log: LoggedRequest[], id: string): string[] {
  const created = log.findIndex((r) => r.method === "POST" && r.path === "/api/v2/webdeployments/deployments" && r.status === 200);
  return log
    .filter((r, i) => (i === created ? true : r.path.split("?")[0] === `/api/v2/webdeployments/deployments/${id}`))
    .map((r) => (r.method === "POST" ? "POST" : `${r.method} ${r.status}`));
}

/** Runs `body` with the emulator's web deployment delays patched, and puts the test's own back after it. */
async function withTiming<T>(patch: Partial<typeof WEB_DEPLOYMENT_TIMING>, body: () => Promise<T>): Promise<T> {
  await setTiming(emulator.url, ADMIN, patch);
  try {
    return await body();
  } finally {
    await setTiming(emulator.url, ADMIN, WEB_DEPLOYMENT_TIMING);
  }
}

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    data: ":memory:",
    clients: [owner, ui, readOnly],
    adminToken: ADMIN,
    quiet: true,
    webDeployments: WEB_DEPLOYMENT_TIMING,
  });
  admin = new EmulatorAdmin(emulator.url, ADMIN);
});
afterAll(async () => emulator?.close());
beforeEach(async () => admin.reset());

describe("WebDeploymentConfiguration provider", () => {
  it("creates the draft, publishes version 1 and audits the create", async () => {
    const ctx = ctxFor();
    const { id, outs } = await configurations.create(ctx, configuration("created"));
    expect(outs).toMatchObject({ configurationId: id, version: "1", unpublishedChanges: false, name: "created" });
    const v1 = await new WebDeploymentConfigurationsApi(uiClient().transport).version(id, "1");
    expect(v1).toMatchObject({ name: "created", messenger: { styles: { primaryColor: "#112233" } } });
    const record = auditLines(ctx.auditDir).at(-1)!;
    expect(record).toMatchObject({ action: "create", outcome: "success", targetId: id, actor: owner.clientId });
    expect(JSON.stringify(auditLines(ctx.auditDir))).not.toContain(owner.clientSecret);
  });

  it("an update republishes as the next version and the output follows", async () => {
    const ctx = ctxFor();
    const { id } = await configurations.create(ctx, configuration("updated"));
    const news = configuration("updated", { messenger: { enabled: true, styles: { primaryColor: "#445566" } } });
    expect(diffConfiguration({ ...configuration("updated"), version: "1" }, news)).toMatchObject({ changes: true, diffs: ["messenger"] });
    const { outs } = await configurations.update(ctx, id, {}, news);
    expect(outs.version).toBe("2");
    expect((await new WebDeploymentConfigurationsApi(uiClient().transport).version(id, "2"))?.messenger).toEqual(news.messenger);
  });

  it("retries a publish refused with 400 and succeeds once Genesys accepts it", async () => {
    const ctx = ctxFor();
    await admin.fault({ method: "POST", path: "/versions/draft/publish$", status: 400, count: 2 });
    const { outs } = await configurations.create(ctx, configuration("publish-retried"));
    expect(outs.version).toBe("1");
    const publishes = (await admin.requests()).filter((r) => r.method === "POST" && String(r.path).endsWith("/publish"));
    expect(publishes.map((r) => r.status)).toEqual([400, 400, 200]);
  });

  it("deletes the configuration again when it cannot be published, so nothing is left half-made", async () => {
    const ctx = ctxFor();
    await admin.fault({ method: "POST", path: "/versions/draft/publish$", status: 400 });
    const err = await configurations.create(ctx, configuration("never-published")).catch((e: Error) => e);
    expect(String(err)).toMatch(/publish the draft of web deployment configuration .* failed: 400.*deleted again/s);
    await admin.clearFaults();
    expect(await new WebDeploymentConfigurationsApi(uiClient().transport).findByName("never-published")).toBeUndefined();
    expect(auditLines(ctx.auditDir).at(-1)).toMatchObject({ action: "create", outcome: "failure" });
  });

  it("refresh reports draft edits left unpublished as drift, and the update publishes the declaration again", async () => {
    const ctx = ctxFor();
    const declared = configuration("drafted");
    const { id, outs } = await configurations.create(ctx, declared);
    const live = (await new WebDeploymentConfigurationsApi(uiClient().transport).draft(id))!;
    await new WebDeploymentConfigurationsApi(uiClient().transport).putDraft(id, {
      name: live.name,
      languages: ["en-us"],
      defaultLanguage: "en-us",
      description: "edited in the UI, not published",
      messenger: live.messenger,
    });
    const read = await configurations.read(ctx, id, outs as unknown as Record<string, unknown>);
    expect(read.props).toMatchObject({ version: "1", unpublishedChanges: true, description: "edited in the UI, not published" });
    const diff = diffConfiguration(read.props as unknown as Record<string, unknown>, declared);
    expect(diff.diffs).toEqual(["description", "unpublishedChanges"]);
    const { outs: after } = await configurations.update(ctx, id, {}, declared);
    expect(after).toMatchObject({ version: "2", unpublishedChanges: false, description: "integration" });
    const again = await configurations.read(ctx, id, after as unknown as Record<string, unknown>);
    expect(diffConfiguration(again.props as unknown as Record<string, unknown>, declared).changes).toBe(false);
  });

  it("adopts an existing configuration by id and publishes the declaration when it differs", async () => {
    const ctx = ctxFor();
    const { configuration: made } = await new WebDeploymentConfigurationsApi(uiClient().transport).create({
      name: "hand-made",
      languages: ["de"],
      defaultLanguage: "de",
    });
    const { id, outs } = await configurations.create(ctx, { ...configuration("hand-made"), adoptExistingId: made.id });
    expect(id).toBe(made.id);
    expect(outs).toMatchObject({ version: "1", adoptExistingId: made.id, languages: ["en-us"] });
    expect(auditLines(ctx.auditDir).at(-1)).toMatchObject({ action: "adopt", outcome: "success", targetId: made.id });
  });

  it("delete removes every version and waits for the 404; an already deleted one is not an error", async () => {
    const ctx = ctxFor();
    const { id, outs } = await configurations.create(ctx, configuration("deleted"));
    await configurations.delete(ctx, id, outs as unknown as Record<string, unknown>);
    expect(await new WebDeploymentConfigurationsApi(uiClient().transport).draft(id)).toBeUndefined();
    expect(await new WebDeploymentConfigurationsApi(uiClient().transport).versions(id)).toBeUndefined();
    expect((await configurations.read(ctx, id, {})).id).toBe("");
    await expect(configurations.delete(ctx, id, {})).resolves.toBeUndefined();
  });
});

describe("permissions", () => {
  it("a client with only webdeployments:readonly may read but a create names the permissions and scope to grant", async () => {
    const ctx = testContext(emulator.url, readOnly);
    const err = await configurations.create(ctx, configuration("read-only")).catch((e: Error) => e);
    expect(String(err)).toMatch(/failed: 403 .*webDeployments:configuration:view\/add\/edit\/delete.*webdeployments scope/s);
    const { id } = await configurations.create(ctxFor(), configuration("readable"));
    expect((await configurations.read(ctx, id, {})).props).toMatchObject({ name: "readable", version: "1" });
  });
});

describe("the dev stack's declarations", () => {
  it("are accepted by the emulator: the configuration publishes and each deployment becomes Active", async () => {
    const ctx = ctxFor();
    const { resourceName: _cfgName, ...cfgArgs } = devWebDeployments.configurations[0]!;
    const { id, outs } = await configurations.create(ctx, cfgArgs as unknown as Record<string, unknown>);
    for (const { resourceName: _name, configuration: _ref, ...args } of devWebDeployments.deployments) {
      const { outs: dep } = await deployment.create(ctx, { ...args, configuration: { id, version: outs.version } } as Record<
        string,
        unknown
      >);
      expect(dep.status).toBe("Active");
    }
  });
});

describe("WebDeployment provider", () => {
  async function publishedConfig(name: string) {
    const { id, outs } = await configurations.create(ctxFor(), configuration(name));
    return { id, version: outs.version };
  }

  it("creates a deployment, waits for Active and outputs its id, status and snippet", async () => {
    const ctx = ctxFor();
    const config = await publishedConfig("cfg-active");
    await admin.clearRequests();
    const { id, outs } = await deployment.create(ctx, deploymentOf("site-active", config));
    // The POST answers Pending; the Active in the outputs is what a GET read.
    expect(deploymentCalls(await admin.requests(), id)[0]).toEqual("POST");
    expect(deploymentCalls(await admin.requests(), id).slice(1)).toContain("GET 200");
    expect(outs).toMatchObject({ deploymentId: id, status: "Active", configuration: config, allowedDomains: ["www.example.com"] });
    expect(outs.snippet).toContain(id);
    const trail = auditLines(ctx.auditDir);
    expect(trail.at(-2)).toMatchObject({ action: "health", outcome: "success", healthStatus: "Active", targetId: id });
    expect(trail.at(-1)).toMatchObject({ action: "create", outcome: "success", targetId: id, healthStatus: "Active" });
  });

  it("fails at once with the server's reason when the deployment goes to Error, and deletes it again", async () => {
    // Waiting out the health timeout would fail differently ("did not become Active within 2 s").
    const ctx = testContext(emulator.url, owner, { healthTimeoutSeconds: 2 });
    const config = await publishedConfig("cfg-error");
    await markBroken(emulator.url, ADMIN, "flow", "flow-broken", "inbound message flow flow-broken is not published");
    await admin.clearRequests();
    // No activation delay: the first read after the POST already answers Error.
    const err = await withTiming({ activationDelayMs: 0 }, () =>
      deployment.create(ctx, deploymentOf("site-error", config, { flowId: "flow-broken" })).catch((e: Error) => e),
    );
    expect(String(err)).toMatch(
      /web deployment "site-error" \([0-9a-f-]+\) went to status Error: inbound message flow flow-broken is not published.*deleted again/s,
    );
    const id = auditLines(ctx.auditDir).find((r) => r.action === "health")?.targetId as string;
    // One read saw Error and the deployment was deleted at once: no polling towards the timeout.
    expect(deploymentCalls(await admin.requests(), id).slice(0, 3)).toEqual(["POST", "GET 200", "DELETE 204"]);
    expect(await new WebDeploymentsApi(uiClient().transport).findByName("site-error")).toBeUndefined();
    expect(auditLines(ctx.auditDir).find((r) => r.action === "health")).toMatchObject({ outcome: "failure", healthStatus: "Error" });
  });

  it("fails an update at once when the deployment goes to Error, naming the deployment and the status, and keeps it", async () => {
    // Waiting out the health timeout would fail differently ("did not become Active within 2 s").
    const ctx = testContext(emulator.url, owner, { healthTimeoutSeconds: 2 });
    const config = await publishedConfig("cfg-update-error");
    const { id } = await deployment.create(ctx, deploymentOf("site-update-error", config));
    await markBroken(emulator.url, ADMIN, "deployment", id, "the deployment's flow was deleted");
    await admin.clearRequests();
    const err = await withTiming({ activationDelayMs: 0 }, () =>
      deployment.update(ctx, id, {}, deploymentOf("site-update-error", config, { description: "changed" })).catch((e: Error) => e),
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(
      `web deployment "site-update-error" (${id}) went to status Error: the deployment's flow was deleted; ` +
        "fix the flow (flowId) or configuration it names, then run `pulumi up` again",
    );
    // The PUT, one read that saw Error, and nothing after it: no polling towards the timeout, no delete.
    expect(deploymentCalls(await admin.requests(), id)).toEqual(["PUT 200", "GET 200"]);
    expect((await new WebDeploymentsApi(uiClient().transport).get(id))?.status).toBe("Error");
    expect(auditLines(ctx.auditDir).filter((r) => r.action === "update")).toEqual([
      expect.objectContaining({ outcome: "failure", targetId: id, error: expect.stringContaining("went to status Error") }),
    ]);
  });

  it("moves to a new configuration version in place, and Pending is never a change", async () => {
    const ctx = ctxFor();
    const cfgCtx = ctxFor();
    const config = await publishedConfig("cfg-moving");
    const { id, outs } = await deployment.create(ctx, deploymentOf("site-moving", config));
    const { outs: v2 } = await configurations.update(cfgCtx, config.id, {}, configuration("cfg-moving", { description: "v2" }));
    const news = deploymentOf("site-moving", { id: config.id, version: v2.version });
    expect(
      diffDeployment({ ...outs, status: "Pending" } as unknown as Record<string, unknown>, deploymentOf("site-moving", config)),
    ).toMatchObject({
      changes: false,
    });
    expect(diffDeployment(outs as unknown as Record<string, unknown>, news)).toMatchObject({ changes: true, diffs: ["configuration"] });
    const { outs: moved } = await deployment.update(ctx, id, {}, news);
    expect(moved).toMatchObject({ status: "Active", configuration: { id: config.id, version: "2" } });
  });

  it("refresh reads edited fields, drops a deployment deleted out of band, and treats Error as drift", async () => {
    const ctx = ctxFor();
    const config = await publishedConfig("cfg-refresh");
    const { id, outs } = await deployment.create(ctx, deploymentOf("site-refresh", config));
    const live = (await new WebDeploymentsApi(uiClient().transport).get(id))!;
    await new WebDeploymentsApi(uiClient().transport).put(id, {
      name: live.name,
      allowedDomains: ["other.example.com"],
      configuration: config,
    });
    const read = await deployment.read(ctx, id, outs as unknown as Record<string, unknown>);
    expect(read.inputs).toMatchObject({ allowedDomains: ["other.example.com"] });
    expect(diffDeployment(read.props as unknown as Record<string, unknown>, deploymentOf("site-refresh", config)).diffs).toEqual([
      "allowedDomains",
    ]);
    expect(
      diffDeployment({ ...outs, status: "Error" } as unknown as Record<string, unknown>, deploymentOf("site-refresh", config)).diffs,
    ).toEqual(["status"]);
    await new WebDeploymentsApi(uiClient().transport).delete(id);
    expect((await deployment.read(ctx, id, outs as unknown as Record<string, unknown>)).id).toBe("");
  });

  it("delete waits until the asynchronous delete has finished", async () => {
    const ctx = ctxFor();
    const config = await publishedConfig("cfg-delete");
    const { id, outs } = await deployment.create(ctx, deploymentOf("site-delete", config));
    await deployment.delete(ctx, id, outs as unknown as Record<string, unknown>);
    expect(await new WebDeploymentsApi(uiClient().transport).get(id)).toBeUndefined();
    await expect(deployment.delete(ctx, id, {})).resolves.toBeUndefined();
  });

  it("adopts an existing deployment by id, writing the declared document", async () => {
    const ctx = ctxFor();
    const config = await publishedConfig("cfg-adopt");
    const { deployment: made } = await new WebDeploymentsApi(uiClient().transport).create({
      name: "site-adopt",
      allowAllDomains: true,
      configuration: config,
    });
    const { id, outs } = await deployment.create(ctx, { ...deploymentOf("site-adopt", config), adoptExistingId: made.id });
    expect(id).toBe(made.id);
    expect(outs).toMatchObject({ status: "Active", allowAllDomains: false, allowedDomains: ["www.example.com"], adoptExistingId: made.id });
  });
});
