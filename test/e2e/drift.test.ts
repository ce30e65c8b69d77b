/**
 * Refresh, drift, health, replacement, adoption and state round trips through the real CLI.
 * Out-of-band edits go through the public API with a second OAuth client, the way an edit in
 * the admin UI reaches the API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { createGenesysClient, type BrandSpec } from "../../provider/genesys";
import { EmulatorAdmin } from "../support/admin";
import { changedPaths, declaration, stateResource } from "../support/declarations";
import { listBrands } from "../support/genesys";
import { PulumiProject, CLI_TESTS } from "../support/pulumi-project";

const owner = { clientId: "drift-owner", clientSecret: "drift-owner-secret-3b9f" };
const ui = { clientId: "drift-admin-ui", clientSecret: "drift-ui-secret-0d2e" };
const ADMIN = "drift-admin";
/** Several CLI runs per test on a shared 2-core machine: generous, never a speed target. */
const E2E_TIMEOUT = 300_000;

describe("refresh and drift through the real Pulumi CLI", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let admin: EmulatorAdmin;
  let project: PulumiProject;
  const alpha = declaration("alpha");
  const beta = declaration("beta");
  const uiClient = () => createGenesysClient({ apiUrl: emulator.url, ...ui, policy: { baseDelayMs: 1 } });
  const brands = () => listBrands(emulator.url, owner.clientId, owner.clientSecret);

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, data: ":memory:", clients: [owner, ui], adminToken: ADMIN, quiet: true });
    admin = new EmulatorAdmin(emulator.url, ADMIN);
    project = await PulumiProject.create({
      config: { "genesys:apiUrl": emulator.url, "genesys:clientId": owner.clientId, "genesys:allowPrivateNetworks": "true" },
      secrets: { "genesys:clientSecret": owner.clientSecret },
      channels: [alpha, beta],
    });
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
  });

  afterAll(async () => {
    project?.cleanup();
    await emulator?.close();
  });

  it(
    "drift by edit: refresh changes exactly the edited fields and the next up restores the declaration",
    async () => {
      const before = await project.exportState();
      const id = stateResource(before, "alpha")!.id;
      const live = (await uiClient().brands.get(id))!;
      const edited: BrandSpec = { ...live, description: "edited in the admin UI", settings: { ...live.settings, rateLimitThreshold: 777 } };
      delete (edited.settings as Record<string, unknown>).healthStatus;
      delete (edited.settings as Record<string, unknown>).lastHealthCheck;
      await uiClient().brands.update(
        id,
        {
          name: edited.name,
          description: edited.description,
          endpointUrl: edited.endpointUrl,
          allowedOrigins: edited.allowedOrigins,
          channelTypes: edited.channelTypes,
          settings: edited.settings,
        },
        live.version,
      );

      const refresh = await project.refresh();
      expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);
      const after = await project.exportState();
      // Besides the edited fields, the refreshed inputs hold the channel's id (carried into previews).
      expect(changedPaths(stateResource(before, "alpha")!.inputs, stateResource(after, "alpha")!.inputs).sort()).toEqual([
        "brandId",
        "description",
        "settings.rateLimitThreshold",
      ]);
      expect(stateResource(after, "alpha")!.inputs.brandId).toBe(id);
      expect(changedPaths(stateResource(before, "alpha")!.outputs, stateResource(after, "alpha")!.outputs).sort()).toEqual([
        "description",
        "settings.rateLimitThreshold",
      ]);
      expect(changedPaths(stateResource(before, "beta")!.inputs, stateResource(after, "beta")!.inputs)).toEqual(["brandId"]);

      const preview = await project.preview(["--expect-no-changes"]);
      expect(preview.code).not.toBe(0);
      const up = await project.up();
      expect(up.code, up.stdout + up.stderr).toBe(0);
      const restored = (await brands()).find((b) => b.id === id)!;
      expect(restored.description).toBe(alpha.description);
      expect(restored.settings.rateLimitThreshold).toBe(alpha.settings.rateLimitThreshold);
      expect((await project.preview(["--expect-no-changes"])).code).toBe(0);
    },
    E2E_TIMEOUT,
  );

  it(
    "drift by deletion: refresh drops the deleted channel and up recreates it",
    async () => {
      const oldId = stateResource(await project.exportState(), "beta")!.id;
      await uiClient().brands.delete(oldId);
      const refresh = await project.refresh();
      expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);
      expect(stateResource(await project.exportState(), "beta")).toBeUndefined();
      const up = await project.up();
      expect(up.code, up.stdout + up.stderr).toBe(0);
      const recreated = (await brands()).filter((b) => b.name === beta.name);
      expect(recreated).toHaveLength(1);
      expect(recreated[0].id).not.toBe(oldId);
      expect(stateResource(await project.exportState(), "beta")!.id).toBe(recreated[0].id);
    },
    E2E_TIMEOUT,
  );

  it(
    "unhealthy: a degraded probe shows as a change on refresh, and up probes the channel again without rewriting it",
    async () => {
      const id = stateResource(await project.exportState(), "alpha")!.id;
      const versionBefore = (await uiClient().brands.get(id))!.version;
      await admin.setHealth(id, "degraded");
      const refresh = await project.refresh(["--expect-no-changes"]);
      expect(refresh.code).not.toBe(0);
      expect(stateResource(await project.exportState(), "alpha")!.outputs.healthStatus).toBe("degraded");
      await admin.setHealth(id, null);
      await admin.clearRequests();
      const up = await project.up();
      expect(up.code, up.stdout + up.stderr).toBe(0);
      expect(stateResource(await project.exportState(), "alpha")!.outputs.healthStatus).toBe("active");
      expect((await admin.requests()).filter((r) => r.method !== "GET" && r.path.startsWith("/api/"))).toEqual([]);
      expect((await uiClient().brands.get(id))!.version).toBe(versionBefore);
      expect((await project.refresh(["--expect-no-changes"])).code).toBe(0);
    },
    E2E_TIMEOUT,
  );

  it(
    "replacement: changing channelTypes deletes the old channel before creating the new one",
    async () => {
      const oldId = stateResource(await project.exportState(), "alpha")!.id;
      await admin.clearRequests();
      await project.declareChannels([{ ...alpha, channelTypes: ["webchat", "webmessaging"] }, beta]);
      const up = await project.up();
      expect(up.code, up.stdout + up.stderr).toBe(0);
      expect(up.stdout).toMatch(/replaced/);
      const named = (await brands()).filter((b) => b.name === alpha.name);
      expect(named).toHaveLength(1);
      expect(named[0].id).not.toBe(oldId);
      expect(named[0].channelTypes.sort()).toEqual(["webchat", "webmessaging"]);
      const log = await admin.requests();
      const deleteAt = log.findIndex((r) => r.method === "DELETE" && r.path.endsWith(oldId));
      const createAt = log.findIndex((r) => r.method === "POST" && r.path === "/api/v2/webchat/brands" && r.status === 201);
      expect(deleteAt).toBeGreaterThanOrEqual(0);
      expect(deleteAt).toBeLessThan(createAt);
    },
    E2E_TIMEOUT,
  );

  it(
    "adoption round trip: adoptExistingId takes over a hand-made channel and preview then shows no changes",
    async () => {
      const legacy = declaration("legacy", { description: "now managed by Pulumi" });
      const { brand } = await uiClient().brands.create({
        name: legacy.name,
        description: "hand made in the admin UI",
        endpointUrl: legacy.endpointUrl,
        allowedOrigins: legacy.allowedOrigins,
        channelTypes: legacy.channelTypes,
        settings: { maxConcurrentSessions: 5, rateLimitThreshold: 5, tlsCertificateChain: [], healthCheckInterval: 300 },
      });
      const current = JSON.parse(await import("node:fs").then((fs) => fs.readFileSync(`${project.dir}/channels.json`, "utf8")));
      await project.declareChannels([...current, { ...legacy, adoptExistingId: brand.id }]);
      const up = await project.up();
      expect(up.code, up.stdout + up.stderr).toBe(0);
      expect(stateResource(await project.exportState(), "legacy")!.id).toBe(brand.id);
      const adopted = (await brands()).filter((b) => b.name === legacy.name);
      expect(adopted.map((b) => [b.id, b.description, b.settings.maxConcurrentSessions])).toEqual([
        [brand.id, legacy.description, legacy.settings.maxConcurrentSessions],
      ]);
      const preview = await project.preview(["--expect-no-changes"]);
      expect(preview.code, preview.stdout + preview.stderr).toBe(0);
    },
    E2E_TIMEOUT,
  );

  it(
    "a stack export and import round trip leaves preview with no changes",
    async () => {
      const file = `${project.dir}/exported.json`;
      (await import("node:fs")).writeFileSync(file, await project.exportState());
      const imported = await project.cli(["stack", "import", "--file", file, "--stack", project.stack]);
      expect(imported.code, imported.stdout + imported.stderr).toBe(0);
      const preview = await project.preview(["--expect-no-changes"]);
      expect(preview.code, preview.stdout + preview.stderr).toBe(0);
    },
    E2E_TIMEOUT,
  );
});

describe("drift of a channel that a load balancer webhook follows", CLI_TESTS, () => {
  const owner = { clientId: "drift-lb-owner", clientSecret: "drift-lb-owner-secret-8c41" };
  const webhookSecret = "drift-lb-webhook-secret-19fe";
  let emulator: RunningEmulator;
  let receiver: RunningReceiver;
  let project: PulumiProject;
  const gamma = declaration("gamma");

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, data: ":memory:", clients: [owner, ui], quiet: true });
    receiver = await startReceiver({ secret: webhookSecret });
    project = await PulumiProject.create({
      config: {
        "genesys:apiUrl": emulator.url,
        "genesys:clientId": owner.clientId,
        "genesys:allowPrivateNetworks": "true",
        "lb:callbackUrl": `${receiver.url}/events`,
      },
      secrets: { "genesys:clientSecret": owner.clientSecret, "genesys:webhookSecret": webhookSecret },
      channels: [gamma],
    });
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
  });

  afterAll(async () => {
    project?.cleanup();
    await receiver?.close();
    await emulator?.close();
  });

  it(
    "preview after an out-of-band edit updates only the channel: the webhook keeps its known brandId",
    async () => {
      const id = stateResource(await project.exportState(), "gamma")!.id;
      const uiClient = createGenesysClient({ apiUrl: emulator.url, ...ui, policy: { baseDelayMs: 1 } });
      const live = (await uiClient.brands.get(id))!;
      await uiClient.brands.update(
        id,
        {
          name: live.name,
          description: "edited in the admin UI",
          endpointUrl: live.endpointUrl,
          allowedOrigins: live.allowedOrigins,
          channelTypes: live.channelTypes,
          settings: {
            maxConcurrentSessions: live.settings.maxConcurrentSessions,
            rateLimitThreshold: live.settings.rateLimitThreshold,
            tlsCertificateChain: live.settings.tlsCertificateChain ?? [],
            healthCheckInterval: live.settings.healthCheckInterval,
          },
        },
        live.version,
      );
      const refresh = await project.refresh();
      expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);

      const preview = await project.preview(["--diff"]);
      expect(preview.code, preview.stdout + preview.stderr).toBe(0);
      expect(preview.stdout).toMatch(/~ description\s*:\s*"edited in the admin UI" => "e2e channel gamma"/);
      expect(preview.stdout).not.toContain("[unknown]");
      expect(preview.stdout).not.toContain("gamma-lb-sync");
      expect(preview.stdout).toMatch(/1 to update/);
    },
    E2E_TIMEOUT,
  );
});
