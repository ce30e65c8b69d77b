import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

let dir: string | undefined;
afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

describe("npm run deploy | head", () => {
  it("whose output pipe is closed before it prints, still runs to its own ending: no EPIPE crash, its own exit code", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-pipe-"));
    const cli = path.join(__dirname, "../../../dist/cli/deploy.js");
    // A folder with no Pulumi project: the stack fails quickly, after the start line and before the summary.
    const child = spawn(process.execPath, [cli, "--stacks", "nowhere", "--dir", dir], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, PULUMI_BACKEND_URL: `file://${dir}`, PULUMI_CONFIG_PASSPHRASE: "pipe-test" },
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(1);
  }, 120_000);
});
