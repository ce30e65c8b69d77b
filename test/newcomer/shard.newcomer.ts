/**
 * README "Large fleets", as a user runs it: a configured stack, `npm run shard -- --file fleet.json
 * --shards 3 --from dev`, then every command it prints, run literally in a shell, ending with its
 * `npm run deploy`. Each shard stack must get the configured stack's settings (secrets included),
 * so the deploy applies every channel. The project is a temporary one whose package.json runs this
 * checkout's build, against an emulator on a free port, under a passphrase of the user's own.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { toolsBin, withoutProjectVariables } from "../../scripts/pulumi-env";

const outer = path.resolve(__dirname, "../..");
const CLIENT = { clientId: "shard-client", clientSecret: "shard-client-secret-91c4" };

describe("npm run shard's commands, run as printed", () => {
  let emulator: RunningEmulator;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  // Not spawnSync: the emulator answers from this process, whose event loop must keep running.
  const sh = (command: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn("bash", ["-c", command], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, data: ":memory:", clients: [CLIENT], quiet: true });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-shard-"));
    for (const entry of ["dist", "node_modules"]) fs.symlinkSync(path.join(outer, entry), path.join(dir, entry));
    fs.copyFileSync(path.join(outer, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    // `npm run shard` and `npm run deploy` as this checkout has them, without its build step (done).
    fs.writeFileSync(
      path.join(dir, "package.json"),
      JSON.stringify({
        name: "fleet",
        private: true,
        scripts: { shard: `node ${path.join(outer, "dist/cli/shard.js")}`, deploy: `node ${path.join(outer, "dist/cli/deploy.js")}` },
      }),
    );
    fs.mkdirSync(path.join(dir, "state"));
    env = {
      ...withoutProjectVariables(process.env),
      PATH: `${toolsBin()}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: path.join(dir, ".pulumi-home"),
      PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: "the-fleet-teams-own-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    const fleet = Array.from({ length: 9 }, (_, i) => ({
      resourceName: `fleet-${i}`,
      name: `Fleet channel ${i}`,
      endpointUrl: `https://localhost:9443/fleet/${i}`,
      allowedOrigins: ["https://www.example.com"],
      channelTypes: ["webmessaging"],
    }));
    fs.writeFileSync(path.join(dir, "fleet.json"), JSON.stringify(fleet, null, 2));
  });
  afterAll(async () => {
    await emulator?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("gives every shard stack the configured stack's settings, and the deploy it suggests applies every channel", async () => {
    const setup = await sh(
      [
        "set -e",
        "pulumi stack init dev",
        `pulumi config set genesys:apiUrl ${emulator.url}`,
        "pulumi config set genesys:allowPrivateNetworks true",
        `pulumi config set genesys:clientId ${CLIENT.clientId}`,
        `pulumi config set --secret genesys:clientSecret ${CLIENT.clientSecret}`,
      ].join("\n"),
    );
    expect(setup.code, setup.stderr).toBe(0);

    const shard = await sh("npm run -s shard -- --file fleet.json --shards 3 --from dev");
    expect(shard.code, shard.stderr).toBe(0);
    const lines = shard.stdout.split("\n");
    const commands = lines.filter((l) => l.startsWith("  pulumi stack init ")).map((l) => l.trim());
    expect(commands).toHaveLength(3);
    const deployLine = lines.find((l) => l.startsWith("then: "));
    expect(deployLine).toBe("then: npm run deploy -- --stacks shard-0,shard-1,shard-2 --parallel 3");

    const made = await sh(`set -e\n${commands.join("\n")}`);
    expect(made.code, made.stderr).toBe(0);
    const deploy = await sh(deployLine!.slice("then: ".length));
    expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);
    expect(deploy.stdout).toContain("3 ok, 0 failed");
    const shardSizes = [0, 1, 2].map((i) => JSON.parse(fs.readFileSync(path.join(dir, "shards", `shard-${i}.json`), "utf8")).length);
    expect(shardSizes.reduce((a, b) => a + b, 0)).toBe(9);
    for (const [i, size] of shardSizes.entries()) {
      expect(deploy.stdout).toMatch(
        new RegExp(`^shard-${i}\\s+up\\s+ok\\s+${size === 0 ? "\\+1 ~0 -0|no changes" : `\\+${size + 1} ~0 -0`}`, "m"),
      );
    }
    // The secret was copied encrypted: no shard's stack file holds it in clear.
    const stackFiles = [0, 1, 2].map((i) => fs.readFileSync(path.join(dir, `Pulumi.shard-${i}.yaml`), "utf8")).join("\n");
    expect(stackFiles).toContain("secure:");
    expect(stackFiles).not.toContain(CLIENT.clientSecret);
  });

  it("a shard stack made without settings fails with the provider's whole message: the missing keys and the commands that set them", async () => {
    const bare = await sh("pulumi stack init bare --no-select && pulumi config set channelsFile shards/shard-0.json --stack bare");
    expect(bare.code, bare.stderr).toBe(0);
    const deploy = await sh("npm run -s deploy -- --stacks bare");
    expect(deploy.code).toBe(1);
    const row = deploy.stdout.split("\n").find((l) => /^bare\s+up\s+FAILED/.test(l));
    expect(row).toContain("Genesys provider configuration is incomplete:");
    expect(row).toContain("genesys:clientId is not set (nor GENESYSCLOUD_OAUTHCLIENT_ID); run: pulumi config set genesys:clientId");
    expect(row).toContain(
      "genesys:clientSecret is not set (nor GENESYSCLOUD_OAUTHCLIENT_SECRET); run: pulumi config set --secret genesys:clientSecret",
    );
  });
});
