/**
 * A wrong client secret fixed as the 401 message advises, through the real CLI: `refresh` and
 * `destroy` do not run the program, so they keep using the provider settings the state got from the
 * last run of it, and fail with 401 again. The message says so and names --run-program, which works.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { declaration } from "../support/declarations";
import { PulumiProject, CLI_TESTS } from "../support/pulumi-project";

const client = { clientId: "stale", clientSecret: "stale-secret-3b1d" };

describe("a client secret fixed after a run with the wrong one", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let project: PulumiProject;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, data: ":memory:", clients: [client], quiet: true });
    project = await PulumiProject.create({
      config: { "genesys:apiUrl": emulator.url, "genesys:clientId": client.clientId, "genesys:allowPrivateNetworks": "true" },
      secrets: { "genesys:clientSecret": client.clientSecret },
      channels: [declaration("stale")],
    });
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
  });

  afterAll(async () => {
    project?.cleanup();
    await emulator?.close();
  });

  it("refresh names --run-program in its 401, and refresh --run-program and destroy then succeed", async () => {
    await project.setConfig("genesys:clientSecret", "a-wrong-secret", true);
    // A run of the program stores the wrong secret in the state (this one changes nothing, so it
    // makes no API call and succeeds).
    await project.up();
    const failed = await project.refresh();
    const failedOutput = failed.stdout + failed.stderr;
    expect(failed.code, failedOutput).not.toBe(0);
    expect(failedOutput).toContain("401 invalid_client");

    await project.setConfig("genesys:clientSecret", client.clientSecret, true);
    const stillFailing = await project.refresh();
    const output = stillFailing.stdout + stillFailing.stderr;
    expect(stillFailing.code, output).not.toBe(0);
    expect(output).toContain("401 invalid_client");
    expect(output).toContain("`pulumi refresh` and `pulumi destroy` use the settings saved by the last `pulumi up`");
    expect(output).toContain("add --run-program to those two");
    expect(output).not.toContain(client.clientSecret);
    expect(output).not.toContain("a-wrong-secret");

    const fixed = await project.refresh(["--run-program"]);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    const destroyed = await project.destroy(["--run-program"]);
    expect(destroyed.code, destroyed.stdout + destroyed.stderr).toBe(0);
  });
});
