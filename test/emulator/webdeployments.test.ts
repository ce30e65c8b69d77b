import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventually, start, UUID_RE, type Harness } from "./helpers";

const CONFIGS = "/api/v2/webdeployments/configurations";
const DEPLOYMENTS = "/api/v2/webdeployments/deployments";

function configBody(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    name: "Support messenger",
    description: "Web messaging on www.example.com",
    languages: ["en-us", "fr"],
    defaultLanguage: "en-us",
    messenger: {
      enabled: true,
      styles: { primaryColor: "#1a2b3c" },
      launcherButton: { visibility: "On" },
      fileUpload: { modes: [{ fileTypes: ["image/png", "image/jpeg"], maxFileSizeKB: 5120 }] },
    },
    position: { alignment: "Right", sideSpace: 10, bottomSpace: 20 },
    cobrowse: { enabled: true, allowAgentControl: false, maskSelectors: [".card-number"], channels: ["Webmessaging"] },
    ...overrides,
  };
}

describe("web deployments: configurations and deployments", () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await start({
      rateLimit: { requests: 10_000, perSeconds: 60 },
      webDeployments: { activationDelayMs: 150, deletionDelayMs: 150, draftSettleMs: 100 },
    });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.admin("POST", "/reset");
    token = await h.token();
  });

  async function activeDraft(body = configBody()): Promise<any> {
    const created = await h.api("POST", CONFIGS, { token, body });
    expect(created.status).toBe(200);
    return eventually(async () => {
      const r = await h.api("GET", `${CONFIGS}/${created.json.id}/versions/draft`, { token });
      return r.json.status === "Active" ? r.json : undefined;
    });
  }

  async function published(body = configBody()): Promise<{ id: string; version: string }> {
    const draft = await activeDraft(body);
    const p = await h.api("POST", `${CONFIGS}/${draft.id}/versions/draft/publish`, { token });
    expect(p.status).toBe(200);
    return { id: draft.id, version: p.json.version };
  }

  it("creates a draft that is Pending, then Active, and publishes it as version 1, 2, ...", async () => {
    const body = configBody();
    const created = await h.api("POST", CONFIGS, { token, body });
    expect(created.status).toBe(200);
    const c = created.json;
    expect(c.id).toMatch(UUID_RE);
    expect(c).toMatchObject({ ...body, version: "DRAFT", status: "Pending", selfUri: `${CONFIGS}/${c.id}/versions/draft` });
    expect(Date.parse(c.dateCreated)).not.toBeNaN();

    // Publishing while the draft is still being processed is refused: the 400 Terraform retries around publish.
    // A long settle time for this one call keeps the check independent of how loaded the machine is.
    await h.admin("PUT", "/webdeployments/timing", { draftSettleMs: 60_000 });
    await h.api("PUT", `${CONFIGS}/${c.id}/versions/draft`, { token, body });
    await h.admin("PUT", "/webdeployments/timing", { draftSettleMs: 100 });
    const early = await h.api("POST", `${CONFIGS}/${c.id}/versions/draft/publish`, { token });
    expect(early.status).toBe(400);
    expect(early.json.message).toMatch(/Pending/);
    await h.api("PUT", `${CONFIGS}/${c.id}/versions/draft`, { token, body });

    await eventually(async () =>
      (await h.api("GET", `${CONFIGS}/${c.id}/versions/draft`, { token })).json.status === "Active" ? true : undefined,
    );
    const v1 = await h.api("POST", `${CONFIGS}/${c.id}/versions/draft/publish`, { token });
    expect(v1.status).toBe(200);
    expect(v1.json).toMatchObject({ id: c.id, name: body.name, version: "1", status: "Active", selfUri: `${CONFIGS}/${c.id}/versions/1` });
    expect(Date.parse(v1.json.datePublished)).not.toBeNaN();

    const put = await h.api("PUT", `${CONFIGS}/${c.id}/versions/draft`, {
      token,
      body: { ...v1.json, messenger: { ...body.messenger, styles: { primaryColor: "#ffffff" } } },
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ version: "DRAFT", status: "Pending" });
    expect(put.json.messenger.styles.primaryColor).toBe("#ffffff");

    // The published version is untouched by the draft edit.
    const still = await h.api("GET", `${CONFIGS}/${c.id}/versions/1`, { token });
    expect(still.json.messenger.styles.primaryColor).toBe("#1a2b3c");

    await eventually(async () =>
      (await h.api("GET", `${CONFIGS}/${c.id}/versions/DRAFT`, { token })).json.status === "Active" ? true : undefined,
    );
    const v2 = await h.api("POST", `${CONFIGS}/${c.id}/versions/draft/publish`, { token });
    expect(v2.json.version).toBe("2");
    expect(v2.json.messenger.styles.primaryColor).toBe("#ffffff");

    const versions = await h.api("GET", `${CONFIGS}/${c.id}/versions`, { token });
    expect(versions.status).toBe(200);
    expect(versions.json.entities.map((v: any) => v.version)).toEqual(["DRAFT", "2", "1"]);
    expect(versions.json.total).toBe(3);
  });

  it("creates a deployment on a published version: Pending, then Active, with a snippet naming its id", async () => {
    const cfg = await published();
    const body = {
      name: "www",
      description: "site",
      allowedDomains: ["www.example.com"],
      configuration: cfg,
      flow: { id: "2d4c1f0e-0000-4000-8000-000000000001" },
    };
    const created = await h.api("POST", DEPLOYMENTS, { token, body });
    expect(created.status).toBe(200);
    const d = created.json;
    expect(d).toMatchObject({
      name: "www",
      description: "site",
      allowAllDomains: false,
      allowedDomains: ["www.example.com"],
      status: "Pending",
      configuration: { id: cfg.id, version: "1", name: "Support messenger" },
      flow: { id: body.flow.id },
      selfUri: `${DEPLOYMENTS}/${d.id}`,
    });
    expect(d.snippet).toContain(d.id);
    expect(d.snippet.split("\n")[0]).toMatch(/^<script/);

    const active = await eventually(async () => {
      const r = await h.api("GET", `${DEPLOYMENTS}/${d.id}`, { token });
      return r.json.status === "Active" ? r.json : undefined;
    });
    expect(active.statusReason).toBeUndefined();

    const del = await h.api("DELETE", `${DEPLOYMENTS}/${d.id}`, { token });
    expect(del.status).toBe(204);
    const deleting = await h.api("GET", `${DEPLOYMENTS}/${d.id}`, { token });
    expect([200, 404]).toContain(deleting.status);
    if (deleting.status === 200) expect(deleting.json.status).toBe("Deleting");
    await eventually(async () => ((await h.api("GET", `${DEPLOYMENTS}/${d.id}`, { token })).status === 404 ? true : undefined));
  });
});
