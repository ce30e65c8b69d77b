/**
 * Stack configuration mistakes surface at `pulumi preview`, before any API call, with the exact
 * `pulumi config set` command that fixes each one (`--secret` where the value is a secret). The
 * stack points at a running emulator from the start, so a provider that called the API anyway
 * would show up in its request log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { EmulatorAdmin } from "../support/admin";
import { declaration } from "../support/declarations";
import { PulumiProject, CLI_TESTS } from "../support/pulumi-project";

describe("stack configuration errors at preview", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let admin: EmulatorAdmin;
  let project: PulumiProject;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      data: ":memory:",
      clients: [{ clientId: "cfg", clientSecret: "cfg-secret" }],
      adminToken: "cfg-admin",
      quiet: true,
    });
    admin = new EmulatorAdmin(emulator.url, "cfg-admin");
    project = await PulumiProject.create({
      config: { "genesys:apiUrl": emulator.url, "genesys:allowPrivateNetworks": "maybe" },
      channels: [declaration("cfg")],
    });
  });

  afterAll(async () => {
    project?.cleanup();
    await emulator?.close();
  });

  it("a preview with missing and malformed settings fails listing the pulumi config set command for each", async () => {
    const preview = await project.preview();
    const output = preview.stdout + preview.stderr;
    expect(preview.code, output).not.toBe(0);
    expect(output).toContain("pulumi config set genesys:clientId");
    expect(output).toContain("pulumi config set --secret genesys:clientSecret");
    expect(output).toContain('genesys:allowPrivateNetworks must be true or false (got "maybe")');
    expect(await admin.requests()).toEqual([]);
  });

  it("once the settings are set, the same preview succeeds, still without an API call (check and diff are offline)", async () => {
    await project.setConfig("genesys:clientId", "cfg");
    await project.setConfig("genesys:clientSecret", "cfg-secret", true);
    await project.setConfig("genesys:allowPrivateNetworks", "true");
    const preview = await project.preview();
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(/\+ .*cfg.*create/);
    expect(await admin.requests()).toEqual([]);
  });
});
