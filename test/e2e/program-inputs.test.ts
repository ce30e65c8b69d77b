/**
 * What the program reads before any resource exists, through the real CLI: a missing provider
 * setting is reported once, as its message without a JavaScript stack trace, and `channelsFile`
 * given as the README writes it (`./channels.json`) is found in the project folder, not in the
 * build folder the program runs from.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { declaration } from "../support/declarations";
import { PulumiProject, CLI_TESTS } from "../support/pulumi-project";

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe("the program's inputs at preview", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let project: PulumiProject;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      data: ":memory:",
      clients: [{ clientId: "inputs", clientSecret: "inputs-secret" }],
      quiet: true,
    });
    project = await PulumiProject.create({
      config: { "genesys:apiUrl": emulator.url, "genesys:clientId": "inputs", "genesys:allowPrivateNetworks": "true" },
      channels: [declaration("one"), declaration("two"), declaration("three")],
    });
  });

  afterAll(async () => {
    project?.cleanup();
    await emulator?.close();
  });

  it("a missing setting is printed once, with its fix and without a stack trace", async () => {
    const preview = await project.preview();
    const output = preview.stdout + preview.stderr;
    expect(preview.code, output).not.toBe(0);
    expect(count(output, "genesys:clientSecret is not set"), output).toBe(1);
    expect(output).toContain("run: pulumi config set --secret genesys:clientSecret <oauth-client-secret>");
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  });

  it("channelsFile ./channels.json is read from the project folder", async () => {
    await project.setConfig("genesys:clientSecret", "inputs-secret", true);
    fs.writeFileSync(path.join(project.dir, "channels.json"), JSON.stringify([declaration("relative")]));
    await project.setConfig("channelsFile", "./channels.json");
    const preview = await project.preview();
    const output = preview.stdout + preview.stderr;
    expect(preview.code, output).toBe(0);
    expect(output).toMatch(/WebMessagingChannel relative create/);
    expect(output).not.toMatch(/WebMessagingChannel one create/);
  });
});
