/**
 * A state written by the old, inline provider form stays usable after the upgrade to the short
 * form: the next up changes no channel and stores the short form in the inputs, the outputs keep
 * the old code until the resource is next updated, and destroy (which runs that code) still works.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { INLINE_PROVIDER_ENV } from "../../provider/resources/loader";
import { writeSelfLink } from "../../scripts/self-link";
import { listBrands } from "../support/genesys";
import { PulumiProject, CLI_TESTS } from "../support/pulumi-project";

const clientId = "upgrade-client";
const clientSecret = `upgrade-secret-${randomBytes(8).toString("hex")}`;
const channel = {
  resourceName: "upgrade",
  name: "Upgrade Channel",
  endpointUrl: "wss://localhost:9443/upgrade",
  allowedOrigins: ["https://upgrade.example.com"],
  channelTypes: ["webmessaging"],
  settings: { maxConcurrentSessions: 10, rateLimitThreshold: 10 },
};

type Stored = { inputs?: { __provider?: string }; outputs?: { __provider?: string } };
const providers = async (project: PulumiProject, where: "inputs" | "outputs") =>
  (JSON.parse(await project.exportState()).deployment.resources as Stored[])
    .map((r) => r[where]?.__provider)
    .filter((p): p is string => typeof p === "string");

describe("upgrading a stack from the inline provider form", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let project: PulumiProject;

  beforeAll(async () => {
    writeSelfLink();
    emulator = await startEmulator({ port: 0, data: ":memory:", clients: [{ clientId, clientSecret }], quiet: true });
    project = await PulumiProject.create({
      config: { "genesys:apiUrl": emulator.url, "genesys:clientId": clientId, "genesys:allowPrivateNetworks": "true" },
      secrets: { "genesys:clientSecret": clientSecret },
    });
    await project.declareChannels([channel]);
  });

  afterAll(async () => {
    project?.cleanup();
    await emulator?.close();
  });

  it("an up with the inline form stores the provider's code", async () => {
    project.env[INLINE_PROVIDER_ENV] = "true";
    const up = await project.up();
    delete project.env[INLINE_PROVIDER_ENV];
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const stored = await providers(project, "outputs");
    expect(stored.length).toBe(1);
    expect(stored[0]!.length).toBeGreaterThan(2000);
  });

  it("the next up changes no channel and stores the short form in the inputs, the outputs keeping the old code", async () => {
    const before = await listBrands(emulator.url, clientId, clientSecret);
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).not.toMatch(/updated|replaced|created/);
    expect((await providers(project, "inputs"))[0]).toContain('require("genesys-webmessaging-pulumi/providers/channel")');
    expect((await providers(project, "outputs"))[0]!.length).toBeGreaterThan(2000);
    expect(await listBrands(emulator.url, clientId, clientSecret)).toEqual(before);
  });

  it("destroy, running the old code saved in the outputs, removes the channel", async () => {
    const destroy = await project.destroy();
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    expect(await listBrands(emulator.url, clientId, clientSecret)).toEqual([]);
  });
});
