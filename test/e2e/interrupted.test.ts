/**
 * Interrupted create: the CLI (with its language host and provider) is killed with SIGKILL while
 * channels are being created. The documented recovery (`pulumi cancel` to release the dead run's
 * lock, `pulumi refresh --clear-pending-creates`, then `pulumi up`) ends with exactly the declared
 * channels: none missing, none twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { EmulatorAdmin } from "../support/admin";
import { declaration } from "../support/declarations";
import { listBrands } from "../support/genesys";
import { PulumiProject, CLI_TESTS } from "../support/pulumi-project";

const owner = { clientId: "crash-owner", clientSecret: "crash-owner-secret-5a1c" };
const ADMIN = "crash-admin";

describe("interrupted create through the real Pulumi CLI", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let admin: EmulatorAdmin;
  let project: PulumiProject;
  const declared = ["one", "two", "three"].map((n) => declaration(n));

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, data: ":memory:", clients: [owner], adminToken: ADMIN, quiet: true });
    admin = new EmulatorAdmin(emulator.url, ADMIN);
    project = await PulumiProject.create({
      config: { "genesys:apiUrl": emulator.url, "genesys:clientId": owner.clientId, "genesys:allowPrivateNetworks": "true" },
      secrets: { "genesys:clientSecret": owner.clientSecret },
      channels: declared,
    });
  });

  afterAll(async () => {
    project?.cleanup();
    await emulator?.close();
  });

  it("interrupted create: after kill -9 during create, cancel, refresh --clear-pending-creates and up leave exactly the declared channels", async () => {
    // The server commits each channel at once but answers only 20 s later, so the CLI dies with
    // creates the server has applied and the state has not recorded.
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", afterHandler: true, delayMs: 20_000, count: 3 });
    let pid = 0;
    const run = project.up([], { onSpawn: (p) => (pid = p) });
    const deadline = Date.now() + 30_000;
    while ((await listBrands(emulator.url, owner.clientId, owner.clientSecret)).length < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    process.kill(-pid, "SIGKILL");
    const killed = await run;
    expect(killed.signal).toBe("SIGKILL");
    await admin.clearFaults();
    expect((await listBrands(emulator.url, owner.clientId, owner.clientSecret)).length).toBe(3);

    const cancel = await project.cli(["cancel", "--yes", "--stack", project.stack]);
    expect(cancel.code, cancel.stdout + cancel.stderr).toBe(0);
    const refresh = await project.refresh(["--clear-pending-creates"]);
    expect(refresh.code, refresh.stdout + refresh.stderr).toBe(0);
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);

    const names = (await listBrands(emulator.url, owner.clientId, owner.clientSecret)).map((b) => b.name).sort();
    expect(names).toEqual(declared.map((d) => d.name).sort());
    expect((await project.preview(["--expect-no-changes"])).code).toBe(0);
  });
});
