/**
 * Moving a stack from the dynamic resources (the TypeScript program) to the provider plugin's (a
 * YAML program) by the path docs/plugin.md gives: export the state, turn it into an import file
 * (provider/plugin/migrate.ts), forget the resources (`pulumi state delete --all`, no provider
 * call), import them (`pulumi import -f`, reads only) with the code Pulumi generates as the new
 * program. The org sees no write from the first step to the last.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { createGenesysClient } from "../../provider/genesys";
import { importFileFromState } from "../../provider/plugin/migrate";
import { repoRoot } from "../../scripts/pulumi-env";
import { EmulatorAdmin } from "../support/admin";
import { declaration } from "../support/declarations";
import { CLI_TESTS, PulumiProject } from "../support/pulumi-project";
import { WEB_DEPLOYMENT_TIMING } from "../support/web-deployments";

const ADMIN = "plugin-migration-admin";
const owner = { clientId: "plugin-migration", clientSecret: "plugin-migration-secret-2f9a" };
const webhookSecret = "plugin-migration-hook-secret-6d03";

interface StateEntry {
  urn: string;
  type: string;
  id?: string;
  outputs?: Record<string, unknown>;
}

describe("moving a stack from the dynamic resources to the plugin's", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let receiver: RunningReceiver;
  let admin: EmulatorAdmin;
  let project: PulumiProject;
  const cli = (args: string[]) => project.cli([...args, "--stack", project.stack]);
  const state = async (): Promise<StateEntry[]> => JSON.parse(await project.exportState()).deployment.resources ?? [];
  const idsByName = (entries: StateEntry[]) =>
    Object.fromEntries(entries.filter((r) => r.id && !r.type.startsWith("pulumi:")).map((r) => [r.urn.split("::").pop(), r.id]));

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      data: ":memory:",
      clients: [owner],
      adminToken: ADMIN,
      quiet: true,
      webDeployments: WEB_DEPLOYMENT_TIMING,
    });
    admin = new EmulatorAdmin(emulator.url, ADMIN);
    project = await PulumiProject.create({
      config: { "genesys:apiUrl": emulator.url, "genesys:clientId": owner.clientId, "genesys:allowPrivateNetworks": "true" },
      secrets: { "genesys:clientSecret": owner.clientSecret, "genesys:webhookSecret": webhookSecret },
      channels: [declaration("alpha"), declaration("beta")],
    });
    receiver = await startReceiver({ secret: webhookSecret, stateFile: path.join(project.dir, "pool.json") });
    await project.setConfig("lb:callbackUrl", `${receiver.url}/events`);
    const file = path.join(project.dir, "web-deployments.json");
    fs.writeFileSync(
      file,
      JSON.stringify({
        configurations: [
          {
            resourceName: "messenger",
            name: "Migrated Messenger",
            languages: ["en-us"],
            defaultLanguage: "en-us",
            messenger: { enabled: true, styles: { primaryColor: "#223344" }, launcherButton: { visibility: "On" } },
          },
        ],
        deployments: [{ resourceName: "site", name: "Migrated site", allowedDomains: ["site.example.com"], configuration: "messenger" }],
      }),
    );
    await project.setConfig("webDeploymentsFile", file);
  });

  afterAll(async () => {
    project?.cleanup();
    await receiver?.close();
    await emulator?.close();
  });

  it("the dynamic resources' stack is up: two channels, their webhooks, a configuration and a deployment", async () => {
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const types = (await state()).map((r) => r.type).filter((t) => t.startsWith("pulumi-nodejs:dynamic/"));
    expect(types.sort()).toEqual([
      "pulumi-nodejs:dynamic/genesys:LoadBalancerWebhook",
      "pulumi-nodejs:dynamic/genesys:LoadBalancerWebhook",
      "pulumi-nodejs:dynamic/genesys:WebDeployment",
      "pulumi-nodejs:dynamic/genesys:WebDeploymentConfiguration",
      "pulumi-nodejs:dynamic/genesys:WebMessagingChannel",
      "pulumi-nodejs:dynamic/genesys:WebMessagingChannel",
    ]);
  });

  it("state delete, then import -f of the old ids: the same objects under the plugin, no write, no change to preview", async () => {
    const before = await state();
    const oldIds = idsByName(before);
    expect(Object.keys(oldIds).sort()).toEqual(["alpha", "alpha-lb-sync", "beta", "beta-lb-sync", "messenger", "site"]);
    await admin.clearRequests();

    // 1. The old state, kept (it is also the way back: pulumi stack import --file old-state.json).
    const oldState = path.join(project.dir, "old-state.json");
    fs.writeFileSync(oldState, await project.exportState());
    // 2. The import file, by the documented command.
    const importFile = path.join(project.dir, "resources.json");
    const converted = spawnSync(process.execPath, [path.join(repoRoot(), "dist/provider/plugin/migrate.js"), oldState], {
      encoding: "utf8",
    });
    expect(converted.status, converted.stderr).toBe(0);
    fs.writeFileSync(importFile, converted.stdout);
    expect(JSON.parse(converted.stdout)).toEqual(importFileFromState(JSON.parse(fs.readFileSync(oldState, "utf8"))));
    // 3. Forget the dynamic resources: the state only, no provider is called.
    const forgot = await cli(["state", "delete", "--all", "--yes"]);
    expect(forgot.code, forgot.stdout + forgot.stderr).toBe(0);
    // 4. The program becomes a YAML one using the plugin (same project name, same stack and config).
    const yaml = fs.readFileSync(path.join(project.dir, "Pulumi.yaml"), "utf8");
    const name = /^name: (.*)$/m.exec(yaml)![1];
    const header = `name: ${name}\nruntime: yaml\nplugins:\n  providers:\n    - name: genesys\n      path: ${JSON.stringify(path.join(repoRoot(), "bin"))}\n`;
    fs.writeFileSync(path.join(project.dir, "Pulumi.yaml"), header);
    // 5. Adopt the same ids under the plugin; the generated code is the new program.
    const generated = path.join(project.dir, "generated.yaml");
    const imported = await cli(["import", "-f", importFile, "--out", generated, "--protect=false", "--yes"]);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    fs.writeFileSync(path.join(project.dir, "Pulumi.yaml"), `${header}${fs.readFileSync(generated, "utf8")}`);

    const after = await state();
    expect(idsByName(after)).toEqual(oldIds);
    expect(after.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/"))).toEqual([]);
    expect(JSON.stringify(after)).not.toContain("__provider");
    expect(JSON.stringify(after)).not.toContain(webhookSecret);
    const preview = await cli(["preview", "--expect-no-changes", "--diff"]);
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);

    // The generated code refers to the other imported objects (`brandId: ${alpha.id}`), but the
    // state the import wrote records no dependency between them: one up (no change, no write) does,
    // so that a later destroy deletes a deployment before its configuration.
    const program = fs.readFileSync(path.join(project.dir, "Pulumi.yaml"), "utf8");
    expect(program).toContain("brandId: ${alpha.id}");
    expect(program).toContain("id: ${messenger.id}");
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const site = (await state()).find((r) => r.urn.endsWith("::site")) as StateEntry & { dependencies?: string[] };
    expect(site.dependencies?.some((urn) => urn.endsWith("::messenger"))).toBe(true);
    const writes = (await admin.requests()).filter((r) => r.method !== "GET" && r.path.startsWith("/api/"));
    expect(writes).toEqual([]);
  });

  it("the moved stack is managed by the plugin from then on: destroy empties the org", async () => {
    const destroy = await cli(["destroy", "--yes"]);
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    const client = createGenesysClient({ apiUrl: emulator.url, ...owner, policy: { baseDelayMs: 1 } });
    const count = async (listPath: string) =>
      (await client.transport.request<{ entities: unknown[] }>({ operation: "list", method: "GET", path: listPath })).data.entities.length;
    const left = {
      brands: await count("/api/v2/webchat/brands"),
      webhooks: await count("/api/v2/webhooks/webhooks"),
      configurations: await count("/api/v2/webdeployments/configurations"),
      deployments: await count("/api/v2/webdeployments/deployments"),
    };
    expect(left).toEqual({ brands: 0, webhooks: 0, configurations: 0, deployments: 0 });
  });
});
