/**
 * What `npm start -- --keep` promises: a kept service outlives the process that started it and a
 * Ctrl-C in that terminal, is found again through its pid file, and is stopped by `--stop`; a pid
 * file whose process is gone (or now belongs to another program) is never acted on.
 * Uses the build (dist/), like every test of the project's command-line tools.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// Typed from the sources, loaded from the build. A namespace import, not `typeof import()`, which
// knip (npm run unused) would not count as a use of the module's exports.
import type * as Services from "../../scripts/services";

const root = path.resolve(__dirname, "../..");
const services = path.join(root, "dist", "scripts", "services.js");
const emulatorCli = path.join(root, "dist", "emulator", "cli.js");

type ServicesModule = typeof Services;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("services kept by npm start -- --keep", () => {
  let dir: string;
  let mod: ServicesModule;
  const leftovers: number[] = [];

  beforeAll(() => {
    if (!fs.existsSync(services) || !fs.existsSync(emulatorCli)) throw new Error("run `npx tsc -p .` first: this test drives dist/");
    mod = createRequire(__filename)(services) as ServicesModule;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-kept-"));
  });

  afterAll(() => {
    for (const pid of leftovers) if (alive(pid)) process.kill(pid, "SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("outlive the starter and a Ctrl-C to its process group, and --stop stops them", async () => {
    // The starter plays npm start: the foreground process group of a terminal that gets Ctrl-C.
    const starter = spawn(
      process.execPath,
      [
        "-e",
        `require(${JSON.stringify(services)}).startKeptService({
           name: "Genesys emulator", script: ${JSON.stringify(emulatorCli)},
           args: ["--port", "0", "--data", ":memory:", "--quiet"], ready: /listening on (http:\\/\\/\\S+)/,
           pidFile: ${JSON.stringify(path.join(dir, "emulator.pid"))}, log: ${JSON.stringify(path.join(dir, "emulator.log"))},
         }).then((s) => { console.log(JSON.stringify(s)); setInterval(() => {}, 1000); });`,
      ],
      { detached: true, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    starter.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => starter.once("exit", () => resolve()));
    await until("the kept service to be ready", () => out.includes("\n"));
    const kept = JSON.parse(out) as { pid: number; url: string; pidFile: string };
    leftovers.push(kept.pid);

    process.kill(-starter.pid!, "SIGINT");
    await exited;

    expect(alive(kept.pid)).toBe(true);
    const answer = await fetch(`${kept.url}/oauth/token?grant_type=client_credentials`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from("dev-client:dev-secret").toString("base64")}` },
    });
    expect(answer.status).toBe(200);

    const found = mod.keptServices(dir);
    expect(found).toEqual([expect.objectContaining({ name: "Genesys emulator", pid: kept.pid, running: true })]);
    expect(await mod.stopKeptService(found[0]!)).toBe("stopped");
    await until("the kept service to exit", () => !alive(kept.pid));
    expect(fs.existsSync(path.join(dir, "emulator.pid"))).toBe(false);
    expect(fs.readFileSync(path.join(dir, "emulator.log"), "utf8")).toMatch(/Genesys emulator listening on http:\/\/127\.0\.0\.1:\d+/);
  });

  it("never signal a pid that no longer runs the service's script", async () => {
    // Our own pid stands for a pid reused by another program after the service died.
    fs.writeFileSync(
      path.join(dir, "emulator.pid"),
      JSON.stringify({ name: "Genesys emulator", pid: process.pid, url: "http://127.0.0.1:1", script: emulatorCli, log: "x" }),
    );
    const found = mod.keptServices(dir);
    expect(found).toEqual([expect.objectContaining({ pid: process.pid, running: false })]);
    expect(await mod.stopKeptService(found[0]!)).toBe("not running");
    expect(fs.existsSync(path.join(dir, "emulator.pid"))).toBe(false);
  });
});
