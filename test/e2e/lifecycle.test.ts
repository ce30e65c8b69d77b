/**
 * The vertical slice through the real Pulumi CLI: the dev stack's program against an in-process
 * emulator, with a temporary backend.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { writeSelfLink } from "../../scripts/self-link";
import { channels as declared } from "../../stacks/channels";
import { devWebDeployments } from "../../stacks/web-deployments";
import { PulumiProject, CLI_TESTS } from "../support/pulumi-project";
import { listBrands } from "../support/genesys";

const clientId = "e2e-client";
const clientSecret = `e2e-secret-${randomBytes(8).toString("hex")}`;

describe("dev stack program through the real Pulumi CLI", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let project: PulumiProject;

  beforeAll(async () => {
    // What `npm run build` does: this checkout's program then loads the providers through node_modules.
    writeSelfLink();
    emulator = await startEmulator({ port: 0, data: ":memory:", clients: [{ clientId, clientSecret }], quiet: true });
    project = await PulumiProject.create({
      config: { "genesys:apiUrl": emulator.url, "genesys:clientId": clientId, "genesys:allowPrivateNetworks": "true" },
      secrets: { "genesys:clientSecret": clientSecret },
    });
  });

  afterAll(async () => {
    project?.cleanup();
    await emulator?.close();
  });

  it("up creates every declared channel and each reports active health", async () => {
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const brands = await listBrands(emulator.url, clientId, clientSecret);
    expect(brands.map((b) => b.name).sort()).toEqual(declared.map((c) => c.name).sort());
    const outputs = await project.outputs();
    for (const decl of declared) {
      expect(outputs.channels[decl.resourceName].healthStatus).toBe("active");
      expect(brands.find((b) => b.name === decl.name)?.id).toBe(outputs.channels[decl.resourceName].brandId);
    }
  });

  it("a second preview reports no changes", async () => {
    const preview = await project.preview(["--expect-no-changes"]);
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
  });

  it("refresh of an unchanged stack reports no changes", async () => {
    const refresh = await project.refresh(["--expect-no-changes"]);
    expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);
  });

  it("the exported state holds no client secret and only a small serialized provider", async () => {
    const state = await project.exportState();
    expect(state).not.toContain(clientSecret);
    const deployment = JSON.parse(state).deployment;
    const providers = deployment.resources
      .map((r: { outputs?: { __provider?: string } }) => r.outputs?.__provider)
      .filter((p: unknown): p is string => typeof p === "string");
    // One serialized provider per dynamic resource: the channels and the web deployment configuration and deployments,
    // each stored as a require of the package's provider module, not as code.
    expect(providers.length).toBe(declared.length + devWebDeployments.configurations.length + devWebDeployments.deployments.length);
    for (const p of providers) {
      expect(p).toMatch(/require\("genesys-webmessaging-pulumi\/providers\/(channel|webDeploymentConfiguration|webDeployment)"\)/);
      expect(p.length).toBeLessThan(400);
    }
  });

  it("destroy leaves the emulator with no channels", async () => {
    const destroy = await project.destroy();
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    expect(await listBrands(emulator.url, clientId, clientSecret)).toEqual([]);
  });
});
