/**
 * WebDeploymentConfiguration's keepUnpublishedDraft against the in-process emulator: adopting a
 * configuration whose draft is ahead of its published version (edits saved in the Genesys UI, not
 * published) writes nothing, records the published version and keeps the draft; refresh compares
 * against the published version; a declaration that differs is refused, not written.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { createGenesysClient } from "../../provider/genesys";
import { WebDeploymentConfigurationsApi } from "../../provider/resources/webDeploymentConfiguration/api";
import { diffConfiguration, lifecycle as configurations } from "../../provider/resources/webDeploymentConfiguration/lifecycle";
import { EmulatorAdmin } from "../support/admin";
import { auditLines, testContext } from "../support/provider-context";
import { WEB_DEPLOYMENT_TIMING } from "../support/web-deployments";

const owner = { clientId: "kd-provider", clientSecret: "kd-provider-secret-81c2" };
const ui = { clientId: "kd-admin-ui", clientSecret: "kd-ui-secret-0d9f" };
const ADMIN = "kd-admin";

let emulator: RunningEmulator;
let admin: EmulatorAdmin;

const configuration = (name: string, patch: Record<string, unknown> = {}) => ({
  name,
  description: "published",
  languages: ["en-us"],
  defaultLanguage: "en-us",
  messenger: { enabled: true, styles: { primaryColor: "#112233" }, launcherButton: { visibility: "On" as const } },
  ...patch,
});

const uiClient = () => createGenesysClient({ apiUrl: emulator.url, ...ui, policy: { baseDelayMs: 1 } });
const ctxFor = () => testContext(emulator.url, owner, { publishRetrySeconds: 2 });
const writes = async () =>
  (await admin.requests()).filter((r) => r.method !== "GET" && r.path !== "/oauth/token").map((r) => `${r.method} ${r.path}`);

/** A configuration published at version 1 whose draft then got an unpublished edit, as in the UI. */
async function draftAhead(name: string): Promise<string> {
  const { id } = await configurations.create(ctxFor(), configuration(name));
  await new WebDeploymentConfigurationsApi(uiClient().transport).putDraft(
    id,
    configuration(name, { description: "edited in the UI, not published" }),
  );
  await admin.clearRequests();
  return id;
}

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    data: ":memory:",
    clients: [owner, ui],
    adminToken: ADMIN,
    quiet: true,
    webDeployments: WEB_DEPLOYMENT_TIMING,
  });
  admin = new EmulatorAdmin(emulator.url, ADMIN);
});
afterAll(async () => emulator?.close());
beforeEach(async () => admin.reset());

describe("WebDeploymentConfiguration with keepUnpublishedDraft", () => {
  it("adopts the published version with reads only, and keeps the draft that is ahead of it", async () => {
    const id = await draftAhead("kept");
    const ctx = ctxFor();
    const { id: adopted, outs } = await configurations.create(ctx, {
      ...configuration("kept"),
      adoptExistingId: id,
      keepUnpublishedDraft: true,
    });
    expect(adopted).toBe(id);
    expect(outs).toMatchObject({ version: "1", unpublishedChanges: true, keepUnpublishedDraft: true, description: "published" });
    expect(await writes()).toEqual([]);
    expect((await new WebDeploymentConfigurationsApi(uiClient().transport).draft(id))?.description).toBe("edited in the UI, not published");
    expect(await new WebDeploymentConfigurationsApi(uiClient().transport).latestPublished(id)).toBe("1");
    expect(auditLines(ctx.auditDir).at(-1)).toMatchObject({ action: "adopt", outcome: "success", targetId: id });
  });

  it("refresh reads the published version as the live document, so the kept draft is no change", async () => {
    const id = await draftAhead("refreshed");
    const declared = { ...configuration("refreshed"), adoptExistingId: id, keepUnpublishedDraft: true };
    const { outs } = await configurations.create(ctxFor(), declared);
    const read = await configurations.read(ctxFor(), id, outs as unknown as Record<string, unknown>);
    expect(read.props).toMatchObject({ description: "published", unpublishedChanges: true, version: "1" });
    expect(read.inputs).toMatchObject({ description: "published", keepUnpublishedDraft: true, adoptExistingId: id });
    expect(diffConfiguration(read.props as unknown as Record<string, unknown>, declared)).toMatchObject({ changes: false, diffs: [] });
    // Without the flag the same draft is drift that the next update publishes.
    const { keepUnpublishedDraft: _kept, ...managed } = declared;
    expect(diffConfiguration(read.props as unknown as Record<string, unknown>, managed).diffs).toEqual(["unpublishedChanges"]);
    expect(await writes()).toEqual([]);
  });

  it("refuses a declaration that differs from the published version, naming the fields, and writes nothing", async () => {
    const id = await draftAhead("differs");
    const declared = { ...configuration("differs", { description: "something else" }), adoptExistingId: id, keepUnpublishedDraft: true };
    const err = await configurations.create(ctxFor(), declared).catch((e: Error) => e);
    expect(String(err)).toMatch(/declaration differs from its published version 1 in description; .*remove keepUnpublishedDraft/s);
    expect(await writes()).toEqual([]);
  });

  it("refuses a configuration that was never published: there is no version to adopt", async () => {
    const { configuration: made } = await new WebDeploymentConfigurationsApi(uiClient().transport).create(configuration("unpublished"));
    await admin.clearRequests();
    const err = await configurations
      .create(ctxFor(), {
        ...configuration("unpublished"),
        adoptExistingId: made.id,
        keepUnpublishedDraft: true,
      })
      .catch((e: Error) => e);
    expect(String(err)).toMatch(/"unpublished" .* has never been published, so keepUnpublishedDraft has no published version to adopt/);
    expect(await writes()).toEqual([]);
  });

  it("check names keepUnpublishedDraft when it is not a boolean", async () => {
    const { failures } = await configurations.check(ctxFor(), {}, { ...configuration("typed"), keepUnpublishedDraft: "yes" });
    expect(failures).toEqual([{ property: "keepUnpublishedDraft", reason: "keepUnpublishedDraft must be true or false (or left out)" }]);
  });
});
