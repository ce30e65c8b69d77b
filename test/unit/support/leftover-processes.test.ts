/**
 * The suites' leftover check (test/support/leftover-processes.ts, vitest's globalSetup) run for
 * real: a nested vitest run of a test that starts a process and never stops it must fail, name
 * the process, and kill it; a run whose tests clean up passes.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../../scripts/pulumi-env";
import { canListProcesses, isRunning, killQuietly } from "../../support/processes";

const dirs: string[] = [];

/** A throwaway vitest project whose one test file is `body`, with the project's leftover check. */
function nestedRun(body: string): Promise<{ code: number | null; output: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-leftover-"));
  dirs.push(dir);
  fs.writeFileSync(
    path.join(dir, "vitest.config.mjs"),
    `export default { test: { include: ["*.test.mjs"], globalSetup: [${JSON.stringify(path.join(repoRoot(), "test", "support", "leftover-processes.ts"))}] } };\n`,
  );
  fs.writeFileSync(
    path.join(dir, "probe.test.mjs"),
    `import { spawn } from "node:child_process";\nimport { it } from "vitest";\n${body}\n`,
  );
  const vitest = path.join(repoRoot(), "node_modules", "vitest", "vitest.mjs");
  return new Promise((resolve, reject) => {
    const args = ["run", "--root", dir, "--config", path.join(dir, "vitest.config.mjs"), "--reporter=default", "--reporter=json"];
    const child = spawn(process.execPath, [vitest, ...args, "--outputFile.json=report.json"], {
      cwd: dir,
      env: { ...process.env, GWM_LEFTOVER_GRACE_MS: "1500", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe.runIf(canListProcesses)("the suites' leftover-process check", () => {
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("fails a run whose test leaves a process running, names it and kills it", async () => {
    const { code, output } = await nestedRun(
      `it("leaks", () => { const c = spawn("sleep", ["97"], { detached: true, stdio: "ignore" }); c.unref(); console.log("leaked pid " + c.pid); });`,
    );
    const pid = Number(/leaked pid (\d+)/.exec(output)?.[1]);
    try {
      expect(code, output).toBe(1);
      expect(output).toMatch(/1 process\(es\) started by the tests were still running 1\.5 s after the last test \(now killed\)/);
      expect(output).toContain(`pid ${pid}: sleep 97`);
      expect(isRunning(pid)).toBe(false);
      // The JSON report that .ci/run counts from says the run did not succeed.
      expect(JSON.parse(fs.readFileSync(path.join(dirs.at(-1)!, "report.json"), "utf8"))).toMatchObject({
        success: false,
        numFailedTests: 0,
      });
    } finally {
      killQuietly(pid);
    }
  }, 120_000);

  it("passes a run whose test stops what it started", async () => {
    const { code, output } = await nestedRun(
      `it("cleans up", async () => { const c = spawn("sleep", ["98"], { stdio: "ignore" }); await new Promise((r) => { c.on("exit", r); c.kill(); }); });`,
    );
    expect(code, output).toBe(0);
    expect(output).not.toContain("still running");
    expect(JSON.parse(fs.readFileSync(path.join(dirs.at(-1)!, "report.json"), "utf8"))).toMatchObject({ success: true });
  }, 120_000);
});
