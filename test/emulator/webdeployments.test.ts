import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseArgs } from "../../emulator/cli";
import { resolveConfig } from "../../emulator/config";
import { ManualClock } from "./clock";
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

describe("web deployments on the emulator's clock", () => {
  it("settles a draft, activates a deployment and stamps their dates by the clock the emulator was given", async () => {
    const clock = new ManualClock();
    const startedAt = new Date(clock.now()).toISOString();
    const h = await start({
      clock,
      rateLimit: { requests: 10_000, perSeconds: 60 },
      webDeployments: { activationDelayMs: 60_000, deletionDelayMs: 60_000, draftSettleMs: 30_000 },
    });
    try {
      const token = await h.token();
      const created = await h.api("POST", CONFIGS, { token, body: configBody() });
      expect(created.json).toMatchObject({ status: "Pending", dateCreated: startedAt });
      const draft = () => h.api("GET", `${CONFIGS}/${created.json.id}/versions/draft`, { token });
      clock.advance(29_999);
      expect((await draft()).json.status).toBe("Pending");
      clock.advance(1);
      expect((await draft()).json.status).toBe("Active");

      const version = (await h.api("POST", `${CONFIGS}/${created.json.id}/versions/draft/publish`, { token })).json.version as string;
      const deployed = await h.api("POST", DEPLOYMENTS, {
        token,
        body: { name: "www", allowedDomains: ["www.example.com"], configuration: { id: created.json.id, version } },
      });
      expect(deployed.json).toMatchObject({ status: "Pending", dateCreated: new Date(clock.now()).toISOString() });
      clock.advance(60_000);
      expect((await h.api("GET", `${DEPLOYMENTS}/${deployed.json.id}`, { token })).json.status).toBe("Active");
    } finally {
      await h.close();
    }
  });
});

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

    // Long enough that the read right after the DELETE lands inside the deletion, even on a busy machine.
    expect((await h.admin("PUT", "/webdeployments/timing", { deletionDelayMs: 1_000 })).status).toBe(200);
    const del = await h.api("DELETE", `${DEPLOYMENTS}/${d.id}`, { token });
    await h.admin("PUT", "/webdeployments/timing", { deletionDelayMs: 150 });
    expect(del.status).toBe(204);
    const deleting = await h.api("GET", `${DEPLOYMENTS}/${d.id}`, { token });
    expect(deleting.status).toBe(200);
    expect(deleting.json.status).toBe("Deleting");
    await eventually(async () => ((await h.api("GET", `${DEPLOYMENTS}/${d.id}`, { token })).status === 404 ? true : undefined));
  });
});

describe("web deployments: validation, paging, errors and the shared machinery", () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await start({
      rateLimit: { requests: 10_000, perSeconds: 60 },
      clients: [
        { clientId: "dev-client", clientSecret: "dev-secret" },
        { clientId: "brands-only", clientSecret: "s", scopes: ["webchat:brand:read"] },
      ],
      webDeployments: { activationDelayMs: 0, deletionDelayMs: 0, draftSettleMs: 0 },
    });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.admin("POST", "/reset");
    await h.admin("PUT", "/webdeployments/timing", { activationDelayMs: 0, deletionDelayMs: 0, draftSettleMs: 0 });
    token = await h.token();
  });

  async function publishedConfig(name = "Cfg"): Promise<{ id: string; version: string }> {
    const c = await h.api("POST", CONFIGS, { token, body: configBody({ name }) });
    const p = await h.api("POST", `${CONFIGS}/${c.json.id}/versions/draft/publish`, { token });
    expect(p.status).toBe(200);
    return { id: c.json.id, version: p.json.version };
  }

  it("names every invalid field of a configuration by its path, in one 400", async () => {
    const r = await h.api("POST", CONFIGS, {
      token,
      body: {
        name: " ",
        languages: ["en-us", "en-us"],
        defaultLanguage: "fr",
        messenger: {
          enabled: true,
          styles: { primaryColor: "blue" },
          launcherButton: { visibility: "Sometimes" },
          fileUpload: { modes: [{ fileTypes: ["application/pdf"], maxFileSizeKB: 20_000 }] },
        },
        position: { alignment: "Center" },
        cobrowse: { channels: ["Email"], maskSelectors: [""] },
        authenticationSettings: { enabled: true },
        colour: "#fff",
      },
    });
    expect(r.status).toBe(400);
    expect(r.json.details.map((d: any) => d.fieldName).sort()).toEqual(
      [
        "authenticationSettings.integrationId",
        "cobrowse.channels[0]",
        "cobrowse.maskSelectors[0]",
        "colour",
        "defaultLanguage",
        "languages[1]",
        "messenger.fileUpload.modes[0].fileTypes[0]",
        "messenger.fileUpload.modes[0].maxFileSizeKB",
        "messenger.launcherButton.visibility",
        "messenger.styles.primaryColor",
        "name",
        "position.alignment",
      ].sort(),
    );
    expect(r.json.message).toMatch(/\(and 11 more\)$/);
  });

  it("requires languages and a default language when the messenger is enabled, and only a name otherwise", async () => {
    const bare = await h.api("POST", CONFIGS, { token, body: { name: "Only a name" } });
    expect(bare.status).toBe(200);
    expect(bare.json).toMatchObject({ name: "Only a name", version: "DRAFT" });
    const r = await h.api("POST", CONFIGS, { token, body: { name: "x", messenger: { enabled: true } } });
    expect(r.status).toBe(400);
    expect(r.json.details.map((d: any) => d.fieldName).sort()).toEqual(["defaultLanguage", "languages"]);
    const long = await h.api("POST", CONFIGS, { token, body: { name: "n".repeat(101) } });
    expect(long.json.details[0]).toMatchObject({ fieldName: "name" });
    expect((await h.api("POST", CONFIGS, { token, body: { name: "n".repeat(100) } })).status).toBe(200);
  });

  it("accepts a draft echoed back from a GET, refuses an id that is not the path's, and 404s unknown configurations and versions", async () => {
    const c = (await h.api("POST", CONFIGS, { token, body: configBody() })).json;
    const echo = await h.api("PUT", `${CONFIGS}/${c.id}/versions/draft`, { token, body: { ...c, description: "echoed" } });
    expect(echo.status).toBe(200);
    expect(echo.json.description).toBe("echoed");
    const other = await h.api("PUT", `${CONFIGS}/${c.id}/versions/draft`, { token, body: { ...c, id: "someone-else" } });
    expect(other.status).toBe(400);
    expect(other.json.details[0].fieldName).toBe("id");
    for (const path of [
      `${CONFIGS}/nope/versions/draft`,
      `${CONFIGS}/${c.id}/versions/1`,
      `${CONFIGS}/${c.id}/versions/latest`,
      `${CONFIGS}/nope/versions`,
    ]) {
      const r = await h.api("GET", path, { token });
      expect(r.status).toBe(404);
      expect(r.json.code).toBe("not.found");
    }
    expect((await h.api("POST", `${CONFIGS}/nope/versions/draft/publish`, { token })).status).toBe(404);
    expect((await h.api("DELETE", `${CONFIGS}/nope`, { token })).status).toBe(404);
  });

  it("pages by cursor only: pageNumber, a forged cursor and before with after are refused", async () => {
    for (const q of ["pageNumber=2", "after=abc", "after=wd1.eHl6", "pageSize=0", "pageSize=101"]) {
      const r = await h.api("GET", `${CONFIGS}?${q}`, { token });
      expect(r.status, q).toBe(400);
      expect(r.json.details[0].fieldName, q).toBe(q.split("=")[0]);
    }
    await h.api("POST", CONFIGS, { token, body: { name: "a" } });
    const first = await h.api("GET", `${DEPLOYMENTS}?pageSize=1`, { token });
    expect(first.json).toEqual({ entities: [], selfUri: `${DEPLOYMENTS}?pageSize=1`, total: 0 });
    const page = (await h.api("GET", `${CONFIGS}?pageSize=1`, { token })).json;
    expect(page).toMatchObject({ total: 1, selfUri: `${CONFIGS}?pageSize=1` });
    expect(page.nextUri).toBeUndefined();
    const beforeFirst = (
      await h.api("GET", `${CONFIGS}?pageSize=1&before=${encodeURIComponent("wd1." + Buffer.from("1").toString("base64url"))}`, { token })
    ).json;
    expect(beforeFirst.entities).toEqual([]);
    const both = await h.api("GET", `${CONFIGS}?after=${page.entities.length}&before=x`, { token });
    expect(both.status).toBe(400);
  });

  it("pages deployments by cursor and embeds each one's configuration version with expand=Configuration", async () => {
    const cfg = await publishedConfig();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await h.api("POST", DEPLOYMENTS, { token, body: { name: `d${i}`, allowAllDomains: true, configuration: cfg } })).json.id);
    }
    const p1 = (await h.api("GET", `${DEPLOYMENTS}?pageSize=2&expand=Configuration`, { token })).json;
    expect(p1.total).toBe(3);
    expect(p1.entities.map((d: any) => d.id)).toEqual(ids.slice(0, 2));
    expect(p1.entities[0].configuration).toMatchObject({ id: cfg.id, version: "1", languages: ["en-us", "fr"], status: "Active" });
    expect(p1.nextUri).toMatch(/^\/api\/v2\/webdeployments\/deployments\?expand=Configuration&pageSize=2&after=/);
    const p2 = (await h.api("GET", p1.nextUri, { token })).json;
    expect(p2.entities.map((d: any) => d.id)).toEqual([ids[2]]);
    expect(p2.entities[0].configuration.messenger).toMatchObject(configBody().messenger);
    expect(p2.nextUri).toBeUndefined();
    const back = (await h.api("GET", p2.previousUri, { token })).json;
    expect(back.entities.map((d: any) => d.id)).toEqual(ids.slice(0, 2));
    // Without expand, the reference only.
    const plain = (await h.api("GET", `${DEPLOYMENTS}/${ids[0]}`, { token })).json;
    expect(plain.configuration).toEqual({
      id: cfg.id,
      name: "Cfg",
      version: "1",
      selfUri: `${CONFIGS}/${cfg.id}/versions/1`,
    });
    const bad = await h.api("GET", `${DEPLOYMENTS}?expand=health`, { token });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toMatch(/Configuration, SupportedContent/);
  });

  it("refuses a deployment on a missing configuration, the draft, or with both allowAllDomains and allowedDomains", async () => {
    const cfg = await publishedConfig();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "x", allowAllDomains: true, configuration: { id: "missing", version: "1" } }, "configuration.id"],
      [{ name: "x", allowAllDomains: true, configuration: { id: cfg.id, version: "DRAFT" } }, "configuration.version"],
      [{ name: "x", allowAllDomains: true, configuration: { id: cfg.id, version: "2" } }, "configuration.version"],
      [{ name: "x", allowAllDomains: true, allowedDomains: ["a.example.com"], configuration: cfg }, "allowAllDomains"],
      [{ name: "x", allowedDomains: ["https://a.example.com/path"], configuration: cfg }, "allowedDomains[0]"],
      [{ name: "x", allowAllDomains: true }, "configuration"],
      [{ allowAllDomains: true, configuration: cfg }, "name"],
      [{ name: "x", allowAllDomains: true, configuration: cfg, snippetOverride: "x" }, "snippetOverride"],
    ];
    for (const [body, field] of cases) {
      const r = await h.api("POST", DEPLOYMENTS, { token, body });
      expect(r.status, field).toBe(400);
      expect(
        r.json.details.map((d: any) => d.fieldName),
        field,
      ).toContain(field);
    }
    const numeric = await h.api("POST", DEPLOYMENTS, {
      token,
      body: { name: "n", allowAllDomains: true, configuration: { id: cfg.id, version: 1 } },
    });
    expect(numeric.status).toBe(200);
    expect(numeric.json.configuration.version).toBe("1");
  });

  it("goes to Error for a broken deployment, flow or configuration, naming the reason, and back to Active when healed", async () => {
    const cfg = await publishedConfig();
    const flow = "f1000000-0000-4000-8000-000000000001";
    const d = (
      await h.api("POST", DEPLOYMENTS, { token, body: { name: "d", allowAllDomains: true, flow: { id: flow }, configuration: cfg } })
    ).json;
    expect(d.status).toBe("Active");
    for (const [kind, id] of [
      ["deployment", d.id],
      ["flow", flow],
      ["configuration", cfg.id],
    ] as const) {
      const mark = await h.admin("PUT", `/webdeployments/broken/${kind}/${id}`);
      expect(mark.json.reason).toContain(id);
      const broken = (await h.api("GET", `${DEPLOYMENTS}/${d.id}`, { token })).json;
      expect(broken).toMatchObject({ status: "Error", statusReason: mark.json.reason });
      expect((await h.admin("GET", "/webdeployments/broken")).json.broken).toEqual([{ kind, id, reason: mark.json.reason }]);
      expect((await h.admin("DELETE", `/webdeployments/broken/${kind}/${id}`)).status).toBe(204);
      const healed = (await h.api("GET", `${DEPLOYMENTS}/${d.id}`, { token })).json;
      expect(healed.status).toBe("Active");
      expect(healed.statusReason).toBeUndefined();
    }
    expect((await h.admin("DELETE", `/webdeployments/broken/flow/${flow}`)).status).toBe(404);
    expect((await h.admin("PUT", `/webdeployments/broken/queue/${flow}`)).status).toBe(400);
    expect((await h.admin("PUT", `/webdeployments/broken/flow/${flow}`, { reason: 5 })).status).toBe(400);
  });

  it("keeps a deployment Pending for the activation delay after a PUT too, and refuses to change one being deleted", async () => {
    const cfg = await publishedConfig();
    const d = (await h.api("POST", DEPLOYMENTS, { token, body: { name: "d", allowAllDomains: true, configuration: cfg } })).json;
    await h.admin("PUT", "/webdeployments/timing", { activationDelayMs: 60_000, deletionDelayMs: 60_000 });
    const put = await h.api("PUT", `${DEPLOYMENTS}/${d.id}`, { token, body: { ...d, description: "changed" } });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ status: "Pending", description: "changed", snippet: d.snippet, dateCreated: d.dateCreated });
    expect((await h.api("PUT", `${DEPLOYMENTS}/${d.id}`, { token, body: { ...d, id: "other" } })).status).toBe(400);
    expect((await h.api("DELETE", `${DEPLOYMENTS}/${d.id}`, { token })).status).toBe(204);
    expect((await h.api("GET", `${DEPLOYMENTS}/${d.id}`, { token })).json.status).toBe("Deleting");
    expect((await h.api("DELETE", `${DEPLOYMENTS}/${d.id}`, { token })).status).toBe(204);
    const refused = await h.api("PUT", `${DEPLOYMENTS}/${d.id}`, { token, body: d });
    expect(refused.status).toBe(409);
    expect((await h.api("GET", `${DEPLOYMENTS}/${d.id}/configurations`)).status).toBe(404);
    // The configuration stays in use until the deployment is gone.
    expect((await h.api("DELETE", `${CONFIGS}/${cfg.id}`, { token })).status).toBe(409);
    await h.admin("PUT", "/webdeployments/timing", { deletionDelayMs: 0 });
    expect((await h.api("GET", `${DEPLOYMENTS}/${d.id}`, { token })).status).toBe(200);
  });

  it("lets only pages on a deployment's allowed domains read its public configuration (CORS)", async () => {
    const cfg = await publishedConfig();
    const listed = (
      await h.api("POST", DEPLOYMENTS, {
        token,
        body: { name: "listed", allowedDomains: ["www.example.com", "*.shop.example.org"], configuration: cfg },
      })
    ).json;
    const open = (await h.api("POST", DEPLOYMENTS, { token, body: { name: "open", allowAllDomains: true, configuration: cfg } })).json;
    const acao = async (id: string, origin: string): Promise<string | null> =>
      (await h.api("GET", `${DEPLOYMENTS}/${id}/configurations`, { headers: { origin } })).headers.get("access-control-allow-origin");
    expect(await acao(listed.id, "https://www.example.com")).toBe("https://www.example.com");
    expect(await acao(listed.id, "https://eu.shop.example.org:8443")).toBe("https://eu.shop.example.org:8443");
    expect(await acao(listed.id, "https://example.com")).toBeNull();
    expect(await acao(listed.id, "https://www.example.com.evil.test")).toBeNull();
    expect(await acao(open.id, "https://anywhere.test")).toBe("https://anywhere.test");
    const r = await h.api("GET", `${DEPLOYMENTS}/${listed.id}/configurations`);
    expect(r.status).toBe(200);
    expect(r.json.configurationVersion).toMatchObject({ id: cfg.id, version: "1" });
    expect(r.headers.get("vary")).toMatch(/Origin/);
  });

  it("answers the shared gate on its paths: 401 without a token, 403 without a web deployments scope, 429 with an integer Retry-After", async () => {
    expect((await h.api("GET", CONFIGS)).status).toBe(401);
    const other = await h.token("brands-only", "s");
    const denied = await h.api("GET", DEPLOYMENTS, { token: other });
    expect(denied.status).toBe(403);
    expect(denied.json.message).toContain("webdeployments, webdeployments:readonly");

    const limited = await start({ rateLimit: { requests: 2, perSeconds: 60 } });
    try {
      const t = await limited.token();
      expect((await limited.api("GET", CONFIGS, { token: t })).status).toBe(200);
      expect((await limited.api("POST", CONFIGS, { token: t, body: { name: "a" } })).status).toBe(200);
      const over = await limited.api("GET", DEPLOYMENTS, { token: t });
      expect(over.status).toBe(429);
      expect(over.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
      expect(over.json.code).toBe("too.many.requests.retry.after");
    } finally {
      await limited.close();
    }
  });

  it("applies faults and logs requests on its paths, keeping cursors but no credential in the log", async () => {
    await h.admin("POST", "/faults", { path: "/api/v2/webdeployments/deployments", method: "POST", status: 503, count: 1 });
    const cfg = await publishedConfig();
    const failed = await h.api("POST", DEPLOYMENTS, { token, body: { name: "d", allowAllDomains: true, configuration: cfg } });
    expect(failed.status).toBe(503);
    expect((await h.api("GET", DEPLOYMENTS, { token })).json.total).toBe(0);
    await h.admin("POST", "/faults", {
      path: "/api/v2/webdeployments/deployments",
      method: "POST",
      status: 500,
      afterHandler: true,
      count: 1,
    });
    expect((await h.api("POST", DEPLOYMENTS, { token, body: { name: "d", allowAllDomains: true, configuration: cfg } })).status).toBe(500);
    // The write committed although its answer was lost.
    expect((await h.api("GET", DEPLOYMENTS, { token })).json.total).toBe(1);

    await h.api("GET", `${CONFIGS}?pageSize=1&after=wd1.MQ&access_token=${token}`, { token });
    const log = (await h.admin("GET", "/requests")).json.requests as any[];
    const entry = log.find((e) => e.path.startsWith(`${CONFIGS}?`));
    expect(entry.path).toBe(`${CONFIGS}?pageSize=1&after=wd1.MQ`);
    expect(JSON.stringify(log)).not.toContain(token);
    expect(log.filter((e) => e.fault !== undefined).map((e) => e.status)).toEqual([503, 500]);
  });

  it("keeps configurations, versions and deployments in the data file across a restart", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "wd-persist-"));
    const data = path.join(dir, "emulator.db");
    try {
      const first = await start({ data, webDeployments: { activationDelayMs: 0, deletionDelayMs: 0, draftSettleMs: 0 } });
      const t = await first.token();
      const c = (await first.api("POST", CONFIGS, { token: t, body: configBody() })).json;
      await first.api("POST", `${CONFIGS}/${c.id}/versions/draft/publish`, { token: t });
      const d = (
        await first.api("POST", DEPLOYMENTS, {
          token: t,
          body: { name: "kept", allowAllDomains: true, configuration: { id: c.id, version: "1" } },
        })
      ).json;
      await first.close();
      const second = await start({ data });
      try {
        const t2 = await second.token();
        expect((await second.api("GET", `${CONFIGS}/${c.id}/versions/1`, { token: t2 })).json.name).toBe(c.name);
        expect((await second.api("GET", `${DEPLOYMENTS}/${d.id}`, { token: t2 })).json).toMatchObject({
          name: "kept",
          status: "Active",
          snippet: d.snippet,
        });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reset deletes every configuration, deployment and broken mark; timing is validated", async () => {
    const cfg = await publishedConfig();
    await h.api("POST", DEPLOYMENTS, { token, body: { name: "d", allowAllDomains: true, configuration: cfg } });
    await h.admin("PUT", "/webdeployments/broken/flow/x");
    expect((await h.admin("POST", "/reset")).status).toBe(204);
    const t = await h.token();
    expect((await h.api("GET", CONFIGS, { token: t })).json.total).toBe(0);
    expect((await h.api("GET", DEPLOYMENTS, { token: t })).json.total).toBe(0);
    expect((await h.admin("GET", "/webdeployments/broken")).json.broken).toEqual([]);

    const bad = await h.admin("PUT", "/webdeployments/timing", { activationDelayMs: -1, slowness: 3 });
    expect(bad.status).toBe(400);
    expect(bad.json.details.map((d: any) => d.fieldName).sort()).toEqual(["activationDelayMs", "slowness"]);
    expect((await h.admin("PUT", "/webdeployments/timing", { activationDelayMs: 5 })).json).toEqual({
      activationDelayMs: 5,
      deletionDelayMs: 0,
      draftSettleMs: 0,
    });
  });

  it("takes its delays from CLI flags and options, refusing bad values", () => {
    expect(parseArgs(["--activation-delay-ms", "2500", "--deletion-delay-ms=0", "--draft-settle-ms", "10"]).webDeployments).toEqual({
      activationDelayMs: 2500,
      deletionDelayMs: 0,
      draftSettleMs: 10,
    });
    expect(() => parseArgs(["--activation-delay-ms", "-5"])).toThrow(/--activation-delay-ms must be an integer/);
    expect(resolveConfig({}).webDeployments).toEqual({ activationDelayMs: 1000, deletionDelayMs: 500, draftSettleMs: 200 });
    expect(() => resolveConfig({ webDeployments: { draftSettleMs: 1.5 } })).toThrow(/webDeployments.draftSettleMs/);
    expect(resolveConfig({}).clients[0]!.scopes).toEqual(expect.arrayContaining(["webdeployments", "webdeployments:readonly"]));
  });
});
