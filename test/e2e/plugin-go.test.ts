/**
 * A Go program through the provider plugin and its generated Go SDK (sdk/go): examples/go, an
 * Automation API inline program (the Go language host is not available here; the inline program's
 * runtime runs in the program's own process), with the pinned CLI on PATH, a file backend and the
 * plugin found through the project's `plugins: providers` path.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pulumiEnv, repoRoot } from "../../scripts/pulumi-env";
import { PluginOrg, runCommand } from "../support/plugin-org";
import { CLI_TESTS } from "../support/pulumi-project";

const credentials = { clientId: "go-org", clientSecret: "go-org-secret-5b1e", webhookSecret: "go-org-hook-secret-c40a" };

describe("a Go program using the generated Go SDK", CLI_TESTS, () => {
  let org: PluginOrg;
  let dir: string;
  let exe: string;
  let env: NodeJS.ProcessEnv;

  const run = (command: string) =>
    runCommand(
      exe,
      [
        "-plugins",
        path.join(repoRoot(), "bin"),
        "-api-url",
        org.emulator.url,
        "-client-id",
        credentials.clientId,
        "-callback-url",
        `${org.receiver.url}/events`,
        "-audit-dir",
        path.join(dir, "audit"),
        "-allow-private-networks",
        command,
      ],
      { cwd: dir, env },
    );

  // A cold Go build of the Automation API takes minutes on a loaded two-core machine.
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-plugin-go-"));
    exe = path.join(dir, "go-example");
    const build = await runCommand("go", ["build", "-o", exe, "."], { cwd: path.join(repoRoot(), "examples", "go"), timeoutMs: 900_000 });
    expect(build.code, build.stderr).toBe(0);
    org = await PluginOrg.start(credentials, dir, "plugin-go-admin");
    env = {
      ...pulumiEnv({ backendDir: path.join(dir, "state"), pulumiHome: path.join(repoRoot(), ".pulumi-home") }),
      GENESYSCLOUD_OAUTHCLIENT_SECRET: credentials.clientSecret,
      GENESYS_WEBHOOK_SECRET: credentials.webhookSecret,
    };
  }, 900_000);

  afterAll(async () => {
    await org?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("up creates the channel, its webhook, a configuration and a deployment, and enrols the channel", async () => {
    const up = await run("up");
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(await org.inventory()).toEqual({ brands: 1, webhooks: 1, configurations: 1, deployments: 1 });
    expect(await org.poolMembers()).toEqual(["Go web chat"]);
    expect(up.stdout).toMatch(/outputs: brandId=\S+ deploymentId=\S+/);
  });

  it("a second preview expects no changes", async () => {
    const preview = await run("preview");
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
  });

  it("the state holds neither secret in plain text", () => {
    const state = fs
      .readdirSync(path.join(dir, "state"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".json"))
      .map((f) => fs.readFileSync(path.join(dir, "state", f), "utf8"))
      .join("");
    expect(state).toContain("genesys:index:WebDeployment");
    expect(state).not.toContain(credentials.clientSecret);
    expect(state).not.toContain(credentials.webhookSecret);
  });

  it("destroy leaves the org empty", async () => {
    const destroy = await run("destroy");
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    expect(await org.inventory()).toEqual({ brands: 0, webhooks: 0, configurations: 0, deployments: 0 });
  });
});
