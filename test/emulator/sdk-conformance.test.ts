/**
 * Conformance with a client nobody here wrote: Genesys's own JS SDK (purecloud-platform-client-v2)
 * drives the emulator's web deployments surface, every call of the contract's two tables, unchanged.
 * The SDK cannot be pointed at a loopback URL through setEnvironment (it always builds
 * https://api.<environment>), so these tests use its documented gateway setting:
 * setGateway({ host: "127.0.0.1", protocol: "http", port }) routes both login and API calls there.
 */
import platformClient, { type Models } from "purecloud-platform-client-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, start, UUID_RE, type Harness } from "./helpers";
import { sdkShapeProblems } from "./sdk-models";

const client = platformClient.ApiClient.instance;
const api = new platformClient.WebDeploymentsApi();

/** The SDK rejects with the response body itself: Genesys's ErrorBody. */
async function rejection(p: Promise<unknown>): Promise<Models.ErrorBody> {
  try {
    await p;
  } catch (err) {
    return err as Models.ErrorBody;
  }
  throw new Error("the call was expected to fail");
}

function configuration(name: string, colour = "#0a5c8e"): Models.WebDeploymentConfigurationVersion {
  return {
    name,
    description: "Support messenger",
    languages: ["en-us", "de"],
    defaultLanguage: "en-us",
    headlessMode: { enabled: false },
    customI18nLabels: [{ language: "de", localizedLabels: [{ key: "MessengerHomeHeaderTitle", value: "Hallo" }] }],
    messenger: {
      enabled: true,
      styles: { primaryColor: colour },
      launcherButton: { visibility: "OnDemand" },
      fileUpload: { modes: [{ fileTypes: ["image/png"], maxFileSizeKB: 2048 }] },
      apps: { conversations: { enabled: true, showAgentTypingIndicator: true } },
      homeScreen: { enabled: true, logoUrl: "https://www.example.com/logo.png" },
    },
    position: { alignment: "Left", sideSpace: 12, bottomSpace: 12 },
    cobrowse: {
      enabled: true,
      allowAgentControl: true,
      maskSelectors: ["#card"],
      readonlySelectors: ["#email"],
      channels: ["Webmessaging", "Voice"],
    },
    journeyEvents: { enabled: false },
    authenticationSettings: { enabled: false, integrationId: "c2f1c4a8-0b5e-4c1e-9d63-1f7e1a5b0d11" },
    video: { enabled: false },
  };
}

describe("Genesys's JS SDK against the emulator's /api/v2/webdeployments", () => {
  let h: Harness;
  /** The writer's token, to restore after a test logs in as another client or drops the token. */
  let writerToken: string;

  /** Terraform's sequence: wait until the draft is Active, then publish. */
  async function publish(id: string): Promise<Models.WebDeploymentConfigurationVersion> {
    await eventually(async () => ((await api.getWebdeploymentsConfigurationVersionsDraft(id)).status === "Active" ? true : undefined));
    return api.postWebdeploymentsConfigurationVersionsDraftPublish(id);
  }

  async function publishedConfiguration(name: string): Promise<Models.WebDeploymentConfigurationVersion> {
    const draft = await api.postWebdeploymentsConfigurations(configuration(name));
    return publish(draft.id!);
  }

  beforeAll(async () => {
    h = await start({
      rateLimit: { requests: 10_000, perSeconds: 60 },
      clients: [
        { clientId: "dev-client", clientSecret: "dev-secret" },
        { clientId: "reader", clientSecret: "reader-secret", scopes: ["webdeployments:readonly"] },
      ],
      webDeployments: { activationDelayMs: 200, deletionDelayMs: 200, draftSettleMs: 100 },
    });
    client.setGateway({ host: "127.0.0.1", protocol: "http", port: h.emu.port });
    const auth = await client.loginClientCredentialsGrant("dev-client", "dev-secret");
    expect(auth.accessToken).toEqual(expect.any(String));
    writerToken = auth.accessToken;
  });
  afterAll(() => h.close());

  it("creates a draft, reads it back, and every member is one the SDK's model declares", async () => {
    const body = configuration("Create and read");
    const created = await api.postWebdeploymentsConfigurations(body);
    expect(created.id).toMatch(UUID_RE);
    expect(created).toMatchObject({ ...body, version: "DRAFT", status: "Pending" });
    expect(sdkShapeProblems(created, "WebDeploymentConfigurationVersion")).toEqual([]);

    const draft = await api.getWebdeploymentsConfigurationVersionsDraft(created.id!);
    expect(draft).toMatchObject({ id: created.id, ...body });
    const same = await api.getWebdeploymentsConfigurationVersion(created.id!, "draft");
    expect(same.id).toBe(created.id);
    expect(sdkShapeProblems(draft, "WebDeploymentConfigurationVersion")).toEqual([]);
  });

  it("replaces the draft whole, publishes it as version 1 then 2, and lists the versions newest first", async () => {
    const created = await api.postWebdeploymentsConfigurations(configuration("Versions"));
    const id = created.id!;
    const v1 = await publish(id);
    expect(v1).toMatchObject({ id, version: "1", status: "Active" });
    expect(sdkShapeProblems(v1, "WebDeploymentConfigurationVersion")).toEqual([]);

    // Whole-document replace: what the PUT leaves out is gone from the draft.
    const { cobrowse: _dropped, ...rest } = configuration("Versions", "#ff8800");
    const put = await api.putWebdeploymentsConfigurationVersionsDraft(id, rest);
    expect(put.messenger?.styles?.primaryColor).toBe("#ff8800");
    expect(put.cobrowse).toBeUndefined();
    expect(put.status).toBe("Pending");

    const v2 = await publish(id);
    expect(v2.version).toBe("2");
    expect(v2.messenger?.styles?.primaryColor).toBe("#ff8800");
    expect((await api.getWebdeploymentsConfigurationVersion(id, "1")).messenger?.styles?.primaryColor).toBe("#0a5c8e");

    const versions = await api.getWebdeploymentsConfigurationVersions(id);
    expect(versions.entities?.map((v) => v.version)).toEqual(["DRAFT", "2", "1"]);
    expect(sdkShapeProblems(versions, "WebDeploymentConfigurationVersionEntityListing")).toEqual([]);
  });

  it("refuses to publish a draft that is still Pending with a 400 ErrorBody", async () => {
    // A long settle time keeps the draft Pending however slowly this machine answers.
    await h.admin("PUT", "/webdeployments/timing", { draftSettleMs: 60_000 });
    const created = await api
      .postWebdeploymentsConfigurations(configuration("Too early"))
      .finally(() => h.admin("PUT", "/webdeployments/timing", { draftSettleMs: 100 }));
    const err = await rejection(api.postWebdeploymentsConfigurationVersionsDraftPublish(created.id!));
    expect(err).toMatchObject({ status: 400, code: "bad.request" });
    expect(err.message).toMatch(/Pending/);
    expect(sdkShapeProblems(err, "ErrorBody")).toEqual([]);
  });

  it("lists configurations by cursor: pageSize, after from nextUri, before from previousUri, total", async () => {
    const prefix = `Paged ${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await api.postWebdeploymentsConfigurations(configuration(`${prefix} ${i}`))).id!);
    const ours = (e: Models.WebDeploymentConfigurationVersion): boolean => e.name!.startsWith(prefix);

    const seen: string[] = [];
    let page = await api.getWebdeploymentsConfigurations({ pageSize: "2" });
    const total = page.total!;
    const pages = [page];
    expect(sdkShapeProblems(page, "WebDeploymentConfigurationVersionEntityListing")).toEqual([]);
    expect(page.previousUri).toBeUndefined();
    while (page.nextUri) {
      expect(page.entities).toHaveLength(2);
      const after = new URL(page.nextUri, "http://x").searchParams.get("after")!;
      page = await api.getWebdeploymentsConfigurations({ pageSize: "2", after });
      pages.push(page);
    }
    for (const p of pages) seen.push(...p.entities!.filter(ours).map((e) => e.id!));
    expect(seen).toEqual(ids);
    expect(pages.flatMap((p) => p.entities!)).toHaveLength(total);

    // And back: previousUri of the last page leads to the page before it.
    const last = pages[pages.length - 1]!;
    const before = new URL(last.previousUri!, "http://x").searchParams.get("before")!;
    const back = await api.getWebdeploymentsConfigurations({ pageSize: "2", before });
    expect(back.entities!.map((e) => e.id)).toEqual(pages[pages.length - 2]!.entities!.map((e) => e.id));

    await publish(ids[1]!);
    const published = await api.getWebdeploymentsConfigurations({ showOnlyPublished: true, pageSize: "100" });
    expect(published.entities!.filter(ours).map((e) => e.id)).toEqual([ids[1]]);
  });

  it("deploys a published version: Pending, then Active; PUT moves it to version 2; expand=Configuration embeds the version", async () => {
    const v1 = await publishedConfiguration(`Deploy ${Date.now()}`);
    const body: Models.WebDeployment = {
      name: `Shop ${Date.now()}`,
      description: "The shop's messenger",
      allowAllDomains: false,
      allowedDomains: ["shop.example.com", "*.example.org"],
      flow: { id: "0f3a8e52-6f1f-4a3c-9a3a-3f1c2b0d4e5f" },
      supportedContent: { id: "5b4e1c2a-8d3f-4f0a-b1c2-d3e4f5a6b7c8" },
      pushIntegrations: [{ id: "7d2c9e1b-1a2b-4c3d-8e9f-0a1b2c3d4e5f", provider: "FCM" }],
      configuration: { id: v1.id!, version: v1.version! },
    };
    const created = await api.postWebdeploymentsDeployments(body);
    expect(created).toMatchObject({ ...body, status: "Pending", configuration: { id: v1.id, version: "1" } });
    expect(created.snippet).toContain(created.id);
    expect(sdkShapeProblems(created, "WebDeployment")).toEqual([]);

    const active = await eventually(async () => {
      const d = await api.getWebdeploymentsDeployment(created.id!, { expand: ["supportedContent", "flowDetails"] });
      return d.status === "Active" ? d : undefined;
    });
    expect(sdkShapeProblems(active, "WebDeployment")).toEqual([]);

    await api.putWebdeploymentsConfigurationVersionsDraft(v1.id!, configuration(v1.name!, "#123456"));
    const v2 = await publish(v1.id!);
    const moved = await api.putWebdeploymentsDeployment(created.id!, { ...active, configuration: { id: v1.id!, version: v2.version! } });
    expect(moved).toMatchObject({ id: created.id, status: "Pending", configuration: { version: "2" } });

    const listed = await api.getWebdeploymentsDeployments({ expand: ["Configuration"], pageSize: "100" });
    expect(sdkShapeProblems(listed, "ExpandableWebDeploymentEntityListing")).toEqual([]);
    const mine = listed.entities!.find((d) => d.id === created.id)!;
    expect(mine.configuration).toMatchObject({ id: v1.id, version: "2", name: v1.name, status: "Active" });
    expect(mine.configuration.messenger?.styles?.primaryColor).toBe("#123456");
  });

  it("pages deployments by cursor through the SDK's pageSize, after and before", async () => {
    const v1 = await publishedConfiguration(`Paged deployments ${Date.now()}`);
    for (let i = 0; i < 3; i++) {
      await api.postWebdeploymentsDeployments({ name: `Paged ${i}`, allowAllDomains: true, configuration: { id: v1.id!, version: "1" } });
    }
    const all = await api.getWebdeploymentsDeployments({ pageSize: "100" });
    const walked: string[] = [];
    let page = await api.getWebdeploymentsDeployments({ pageSize: "1" });
    walked.push(...page.entities!.map((d) => d.id!));
    while (page.nextUri) {
      const after = new URL(page.nextUri, "http://x").searchParams.get("after")!;
      page = await api.getWebdeploymentsDeployments({ pageSize: "1", after });
      expect(sdkShapeProblems(page, "ExpandableWebDeploymentEntityListing")).toEqual([]);
      walked.push(...page.entities!.map((d) => d.id!));
    }
    expect(walked).toEqual(all.entities!.map((d) => d.id));
    expect(walked).toHaveLength(all.total!);
    const before = new URL(page.previousUri!, "http://x").searchParams.get("before")!;
    const previous = await api.getWebdeploymentsDeployments({ pageSize: "1", before });
    expect(previous.entities!.map((d) => d.id)).toEqual([walked[walked.length - 2]]);
  });

  it("answers GET deployments/{id}/configurations without a token, as the Messenger on a page calls it", async () => {
    const v1 = await publishedConfiguration(`Public ${Date.now()}`);
    const d = await api.postWebdeploymentsDeployments({
      name: `Public ${Date.now()}`,
      allowAllDomains: true,
      configuration: { id: v1.id!, version: "1" },
    });
    client.clearAccessToken();
    try {
      const active = await api.getWebdeploymentsDeploymentConfigurations(d.id!);
      expect(sdkShapeProblems(active, "WebDeploymentActiveConfigurationOnDeployment")).toEqual([]);
      expect(active.deployment?.id).toBe(d.id);
      expect(active.configurationVersion).toMatchObject({ id: v1.id, version: "1" });
      // Everything else still requires a token.
      expect((await rejection(api.getWebdeploymentsDeployment(d.id!))).status).toBe(401);
    } finally {
      client.setAccessToken(writerToken);
    }
  });

  it("refuses bad deployments with an ErrorBody naming each field", async () => {
    const draftOnly = await api.postWebdeploymentsConfigurations(configuration(`Unpublished ${Date.now()}`));
    const unpublished = await rejection(
      api.postWebdeploymentsDeployments({ name: "x", allowAllDomains: true, configuration: { id: draftOnly.id!, version: "1" } }),
    );
    expect(unpublished).toMatchObject({ status: 400, details: [{ fieldName: "configuration.version" }] });
    expect(unpublished.message).toMatch(/no published version/);
    expect(sdkShapeProblems(unpublished, "ErrorBody")).toEqual([]);

    const both = await rejection(
      api.postWebdeploymentsDeployments({
        name: "x",
        allowAllDomains: true,
        allowedDomains: ["a.example.com"],
        pushIntegrations: [{ id: "p", provider: "GCM" }],
        configuration: { id: draftOnly.id!, version: "draft" },
      }),
    );
    expect(both.status).toBe(400);
    expect(both.details!.map((d) => d.fieldName).sort()).toEqual([
      "allowAllDomains",
      "configuration.version",
      "pushIntegrations[0].provider",
    ]);
    expect(both.errors).toHaveLength(3);
  });

  it("reports Error, with the reason, for a deployment whose flow the emulator is told is broken", async () => {
    const v1 = await publishedConfiguration(`Broken ${Date.now()}`);
    const flowId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    const marked = await h.admin("PUT", `/webdeployments/broken/flow/${flowId}`, { reason: "Flow is not published" });
    expect(marked.status).toBe(200);
    const d = await api.postWebdeploymentsDeployments({
      name: `Broken ${Date.now()}`,
      allowAllDomains: true,
      flow: { id: flowId },
      configuration: { id: v1.id!, version: "1" },
    });
    const failed = await eventually(async () => {
      const r = await api.getWebdeploymentsDeployment(d.id!);
      return r.status === "Pending" ? undefined : r;
    });
    expect(failed.status).toBe("Error");
    expect((failed as unknown as Record<string, unknown>).statusReason).toBe("Flow is not published");
    expect(sdkShapeProblems(failed, "WebDeployment", ["statusReason"])).toEqual([]);
  });

  it("deletes asynchronously: Deleting, then 404; a configuration in use is kept, then deleted with every version", async () => {
    const v1 = await publishedConfiguration(`Delete ${Date.now()}`);
    const d = await api.postWebdeploymentsDeployments({
      name: `Delete ${Date.now()}`,
      allowAllDomains: true,
      configuration: { id: v1.id!, version: "1" },
    });

    const inUse = await rejection(api.deleteWebdeploymentsConfiguration(v1.id!));
    expect(inUse).toMatchObject({ status: 409, code: "conflict" });
    expect(inUse.message).toContain(d.id!);

    // Long enough that the first read after the DELETE lands inside the deletion, even on a busy machine.
    expect((await h.admin("PUT", "/webdeployments/timing", { deletionDelayMs: 1_000 })).status).toBe(200);
    await api.deleteWebdeploymentsDeployment(d.id!);
    await h.admin("PUT", "/webdeployments/timing", { deletionDelayMs: 200 });
    const statuses = new Set<string>();
    await eventually(async () => {
      try {
        statuses.add((await api.getWebdeploymentsDeployment(d.id!)).status!);
        return undefined;
      } catch (err) {
        return (err as Models.ErrorBody).status === 404 ? true : undefined;
      }
    });
    // Seen at least once, and never anything else, before the 404.
    expect([...statuses]).toEqual(["Deleting"]);

    await api.deleteWebdeploymentsConfiguration(v1.id!);
    await eventually(async () => {
      const err = await rejection(api.getWebdeploymentsConfigurationVersion(v1.id!, "1")).catch(() => undefined);
      return err?.status === 404 ? true : undefined;
    });
    expect((await rejection(api.getWebdeploymentsConfigurationVersionsDraft(v1.id!))).status).toBe(404);
  });

  it("admits a webdeployments:readonly token to reads and refuses it writes with 403", async () => {
    const created = await api.postWebdeploymentsConfigurations(configuration(`Scopes ${Date.now()}`));
    await client.loginClientCredentialsGrant("reader", "reader-secret");
    try {
      expect((await api.getWebdeploymentsConfigurationVersionsDraft(created.id!)).id).toBe(created.id);
      expect((await api.getWebdeploymentsDeployments()).entities).toEqual(expect.any(Array));
      const denied = await rejection(api.postWebdeploymentsConfigurations(configuration("Denied")));
      expect(denied).toMatchObject({ status: 403, code: "missing.any.permissions" });
      expect(denied.message).toContain("webdeployments");
    } finally {
      client.setAccessToken(writerToken);
    }
  });
});

describe("Genesys's JS SDK meeting the emulator's rate limit", () => {
  it("sees a 429 with an integer Retry-After header through its extended responses", async () => {
    const limited = await start({ rateLimit: { requests: 2, perSeconds: 60 } });
    try {
      client.setGateway({ host: "127.0.0.1", protocol: "http", port: limited.emu.port });
      await client.loginClientCredentialsGrant("dev-client", "dev-secret");
      client.setReturnExtendedResponses(true);
      await api.getWebdeploymentsConfigurations();
      await api.getWebdeploymentsDeployments();
      const over = (await rejection(api.getWebdeploymentsDeployments())) as unknown as {
        status: number;
        headers: Record<string, string>;
        body: Models.ErrorBody;
      };
      expect(over.status).toBe(429);
      expect(over.headers["retry-after"]).toMatch(/^[1-9]\d*$/);
      expect(over.body.code).toBe("too.many.requests.retry.after");
      expect(sdkShapeProblems(over.body, "ErrorBody")).toEqual([]);
    } finally {
      client.setReturnExtendedResponses(false);
      await limited.close();
    }
  });
});
