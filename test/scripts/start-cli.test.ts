/**
 * `npm start`'s command line and the npm scripts around it, as a user runs them: arguments are
 * refused with the usage (exit 2) before anything starts, and `npm run emulator` in the background
 * goes away when its npm does. Uses the build (dist/), like every test of the command-line tools.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listening } from "../support/listening";

const root = path.resolve(__dirname, "../..");
const start = path.join(root, "dist", "scripts", "start.js");
const USAGE = "usage: npm start [-- --keep | --stop | --lb haproxy]";

describe("npm start's arguments", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [start, ...args], { cwd: root, encoding: "utf8", timeout: 30_000 });

  it.each([
    [["--bogus"], "Unknown option '--bogus'"],
    [["--lb"], "Option '--lb <value>' argument missing"],
    [["--lb", "nginx"], "--lb takes haproxy (the one load balancer driver shipped), got nginx"],
    [["stray"], "Unexpected argument 'stray'"],
    [["--keep", "--stop"], "--keep and --stop exclude each other"],
  ])("refuses %j with the usage and exit 2", (args, problem) => {
    const res = run(...args);
    expect(res.status, res.stderr).toBe(2);
    expect(res.stderr).toContain(problem);
    expect(res.stderr).toContain(USAGE);
    expect(res.stdout).toBe("");
  });
});

describe("npm run emulator in the background", () => {
  let npm: ChildProcess | undefined;
  afterAll(() => {
    if (npm?.pid !== undefined && npm.exitCode === null) process.kill(npm.pid, "SIGKILL");
  });

  it("stops the emulator when its npm is stopped", { timeout: 120_000 }, async () => {
    const npmCli = process.env.npm_execpath && fs.existsSync(process.env.npm_execpath) ? [process.env.npm_execpath] : [];
    npm = spawn(
      npmCli.length > 0 ? process.execPath : "npm",
      [...npmCli, "run", "-s", "emulator", "--", "--port", "0", "--data", ":memory:"],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    npm.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      npm!.stdout!.on("data", (d: Buffer) => {
        output += d.toString();
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      npm!.once("exit", (code) => reject(new Error(`npm run emulator exited (${code}) before it was ready:\n${output}`)));
    });
    const port = Number(url);
    expect(await listening(port)).toBe(true);

    const exited = new Promise((resolve) => npm!.once("exit", resolve));
    npm.kill("SIGTERM");
    await exited;
    const deadline = Date.now() + 20_000;
    while ((await listening(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await listening(port), `the emulator still listens on ${port} after its npm was stopped`).toBe(false);
  });
});
