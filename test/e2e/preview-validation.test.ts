/**
 * A sample of the invalid-definition corpus through `pulumi preview`: the preview fails, names the
 * field and the reason, and the API never hears of it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { EmulatorAdmin } from "../support/admin";
import { PulumiProject, CLI_TESTS } from "../support/pulumi-project";

const owner = { clientId: "preview-owner", clientSecret: "preview-owner-secret-8e4a" };
const ADMIN = "preview-admin";
const SAMPLE = [
  "sessions-too-high",
  "origins-with-path",
  "endpoint-http",
  "unknown-key-typo-in-settings",
  "tls-expired-leaf",
  "signature-tampered",
];

interface CorpusCase {
  name: string;
  definition: Record<string, unknown>;
  expect: { path: string; message: string }[];
  options?: { signingKey?: string };
}

const load = (name: string): CorpusCase =>
  JSON.parse(fs.readFileSync(path.join(__dirname, "..", "fixtures", "invalid-channels", `${name}.json`), "utf8")) as CorpusCase;

describe("invalid definitions through pulumi preview", CLI_TESTS, () => {
  let emulator: RunningEmulator;
  let admin: EmulatorAdmin;
  let project: PulumiProject;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, data: ":memory:", clients: [owner], adminToken: ADMIN, quiet: true });
    admin = new EmulatorAdmin(emulator.url, ADMIN);
    project = await PulumiProject.create({
      config: { "genesys:apiUrl": emulator.url, "genesys:clientId": owner.clientId },
      secrets: { "genesys:clientSecret": owner.clientSecret },
    });
  });

  afterAll(async () => {
    project?.cleanup();
    await emulator?.close();
  });

  it("prints docs/troubleshooting.md's 400 example as the page shows it, each error once under Diagnostics", async () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "troubleshooting.md"), "utf8");
    const at = readme.indexOf("<!-- preview-validation:");
    expect(at).toBeGreaterThan(0);
    const lines = /```\n([\s\S]*?)```/.exec(readme.slice(at))![1]!.trim().split("\n");
    expect(lines).toHaveLength(2);
    await project.declareChannels([
      {
        resourceName: "support",
        name: "Customer Support",
        endpointUrl: "wss://localhost:9443/support",
        allowedOrigins: ["https://support.example.com/app"],
        channelTypes: ["webmessaging"],
        settings: { maxConcurrentSessions: 20000, rateLimitThreshold: 3000 },
      },
    ]);
    const preview = await project.preview();
    const output = preview.stdout + preview.stderr;
    expect(preview.code, output).not.toBe(0);
    const diagnostics = output.split("\nDiagnostics:\n")[1] ?? "";
    for (const line of lines) {
      expect(diagnostics, output).toContain(line);
      expect(diagnostics.split(line).length - 1, `${line} in:\n${diagnostics}`).toBe(1);
    }
  });

  it.each(SAMPLE)("preview of corpus case %s fails naming the field and makes no API call", async (name) => {
    const c = load(name);
    if (c.options?.signingKey) await project.setConfig("genesys:signatureKey", c.options.signingKey, true);
    await project.declareChannels([{ resourceName: "invalid", ...c.definition }]);
    await admin.clearRequests();
    const preview = await project.preview();
    const output = preview.stdout + preview.stderr;
    expect(preview.code, output).not.toBe(0);
    for (const want of c.expect) {
      expect(output).toContain(want.path);
      expect(output).toContain(want.message);
    }
    expect((await admin.requests()).filter((r) => r.path.startsWith("/api/"))).toEqual([]);
    if (c.options?.signingKey) await project.cli(["config", "rm", "genesys:signatureKey", "--stack", project.stack], { check: true });
  });
});
