/**
 * A killed `pulumi up` leaves nothing running. The CLI starts its language host and the dynamic
 * provider each in a process group of its own, so `kill -9` of the CLI's group (a cancelled CI
 * job, an OOM kill) never reaches them; they must notice by themselves that the engine is gone
 * (its gRPC health service stops answering, or the CLI, their parent, has exited) and exit,
 * without ever ending an operation while the engine is alive.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { repoRoot } from "../../scripts/pulumi-env";
import { EmulatorAdmin } from "../support/admin";
import { declaration } from "../support/declarations";
import { FakeEngine } from "../support/fake-engine";
import { listBrands } from "../support/genesys";
import {
  descendantsOf,
  describeProcesses,
  engineAddressesOf,
  isRunning,
  killQuietly,
  processesWithAddress,
  waitForExit,
  waitUntilGone,
} from "../support/processes";
import { PulumiProject, CLI_TESTS } from "../support/pulumi-project";

/** What the issue asks: within 30 s of the kill, nothing of the run is left. */
const GONE_WITHIN_MS = 30_000;
const bin = path.join(repoRoot(), ".tools", "bin");

const PLUGINS = [
  { name: "the language host", command: path.join(bin, "pulumi-language-nodejs") },
  { name: "the dynamic provider (through the shim)", command: path.join(bin, "pulumi-resource-pulumi-nodejs") },
];

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface StartedPlugin {
  pid: number;
  launcher: ChildProcess;
  output: () => string;
  /**
   * Output read to its end. The pid can be gone from /proc before its last words are read from the
   * pipe, so a test reads what it said only after this.
   */
  drained: () => Promise<void>;
}

/**
 * Starts a plugin as the engine does, with the engine's address as its argument, and waits for
 * the port it prints once serving. Through a shell when the test needs to kill its parent.
 */
async function startPlugin(command: string, engine: FakeEngine, viaParent: boolean): Promise<StartedPlugin> {
  const launcher = viaParent
    ? spawn("sh", ["-c", '"$@" & echo "plugin-pid $!"; wait', "sh", command, engine.address], { cwd: repoRoot() })
    : spawn(command, [engine.address], { cwd: repoRoot() });
  let output = "";
  launcher.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  launcher.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const closed = new Promise<void>((resolve) => launcher.on("close", () => resolve()));
  const drained = () => Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 10_000))]);
  await waitFor(() => /^\d+$/m.test(output) || launcher.exitCode !== null, 60_000, `${command} to print its port`);
  expect(launcher.exitCode, output).toBeNull();
  const pid = viaParent ? Number(/plugin-pid (\d+)/.exec(output)?.[1]) : launcher.pid!;
  return { pid, launcher, output: () => output, drained };
}

describe("each plugin watches the engine it was started with", CLI_TESTS, () => {
  const started: number[] = [];
  const engines: FakeEngine[] = [];

  afterEach(() => {
    for (const pid of started.splice(0)) killQuietly(pid);
    for (const engine of engines.splice(0)) engine.stop();
  });

  for (const plugin of PLUGINS) {
    it(`${plugin.name} keeps serving while the engine answers, and exits within 30 s once it stops answering`, async () => {
      const engine = await FakeEngine.start();
      engines.push(engine);
      const running = await startPlugin(plugin.command, engine, false);
      started.push(running.pid);
      // Several checks answered (more than the three refusals that count as gone), and still running.
      await waitFor(() => engine.checks >= 5, 30_000, "five health checks");
      expect(isRunning(running.pid), running.output()).toBe(true);

      engine.stop();
      const stoppedAt = Date.now();
      expect(await waitForExit(running.pid, GONE_WITHIN_MS), running.output()).toBe(true);
      console.log(`${plugin.name} exited ${Date.now() - stoppedAt} ms after its engine stopped`);
      await running.drained();
      expect(running.output()).toMatch(new RegExp(`the engine at ${engine.address} stopped answering`));
    }, 90_000);

    it(`${plugin.name} exits within 30 s once the process that started it is killed, though the engine still answers`, async () => {
      const engine = await FakeEngine.start();
      engines.push(engine);
      const running = await startPlugin(plugin.command, engine, true);
      started.push(running.pid);
      expect(isRunning(running.pid)).toBe(true);

      running.launcher.kill("SIGKILL");
      expect(await waitForExit(running.pid, GONE_WITHIN_MS), running.output()).toBe(true);
      await running.drained();
      expect(running.output()).toMatch(/the process that started it \(pid \d+\) has exited/);
    }, 90_000);
  }
});

describe("kill -9 of the CLI's process group in the middle of an up", CLI_TESTS, () => {
  const owner = { clientId: "orphan-owner", clientSecret: "orphan-owner-secret-7e2d" };
  const ADMIN = "orphan-admin";
  let emulator: RunningEmulator;
  let admin: EmulatorAdmin;
  let project: PulumiProject;
  let runAddresses = new Set<string>();

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, data: ":memory:", clients: [owner], adminToken: ADMIN, quiet: true });
    admin = new EmulatorAdmin(emulator.url, ADMIN);
    project = await PulumiProject.create({
      config: { "genesys:apiUrl": emulator.url, "genesys:clientId": owner.clientId, "genesys:allowPrivateNetworks": "true" },
      secrets: { "genesys:clientSecret": owner.clientSecret },
      channels: [declaration("slow")],
    });
  });

  afterAll(async () => {
    for (const p of processesWithAddress(runAddresses)) killQuietly(p.pid);
    project?.cleanup();
    await emulator?.close();
  });

  it("an operation that outlasts several engine checks completes while the engine is alive", async () => {
    // The create answers after 6 s: six checks by each plugin's watch, twice its three-miss window.
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", delayMs: 6_000, count: 1 });
    const up = await project.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect((await listBrands(emulator.url, owner.clientId, owner.clientSecret)).map((b) => b.name)).toEqual(["Channel slow"]);
    await admin.clearFaults();
  }, 120_000);

  it("within 30 s no process started with the run's engine address remains", async () => {
    // The next create never gets an answer: the provider is mid-operation when the CLI dies.
    await project.declareChannels([declaration("slow"), declaration("stuck")]);
    await admin.clearRequests();
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", hang: true });
    let pid = 0;
    const run = project.up([], { onSpawn: (p) => (pid = p) });
    const hungPost = async () => (await admin.requests()).some((r) => r.method === "POST" && r.status === 0);
    const deadline = Date.now() + 90_000;
    while (!(await hungPost())) {
      if (Date.now() > deadline) throw new Error("the up never reached its create");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const plugins = descendantsOf(pid);
    runAddresses = engineAddressesOf(plugins);
    expect(
      plugins.some((p) => p.argv.some((a) => a.endsWith("pulumi-language-nodejs"))),
      describeProcesses(plugins),
    ).toBe(true);
    expect(
      plugins.some((p) => p.argv.some((a) => a.includes("dynamic-provider"))),
      describeProcesses(plugins),
    ).toBe(true);
    expect(runAddresses.size).toBeGreaterThan(0);
    // Every plugin and the program carry the address, so counting by it counts the whole run.
    expect(processesWithAddress(runAddresses).length).toBe(plugins.filter((p) => p.argv.some((a) => runAddresses.has(a))).length);

    process.kill(-pid, "SIGKILL");
    const killedAt = Date.now();
    expect((await run).signal).toBe("SIGKILL");
    const left = await waitUntilGone(runAddresses, GONE_WITHIN_MS);
    expect(describeProcesses(left)).toBe("");
    console.log(`the killed run's processes were gone ${Date.now() - killedAt} ms after the kill`);
  }, 180_000);
});
