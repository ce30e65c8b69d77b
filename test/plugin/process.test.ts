/**
 * bin/pulumi-resource-genesys as the engine starts it: with the engine's address as its argument,
 * it prints its port (the only line on stdout), answers on it, and exits once its engine is gone.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../../scripts/pulumi-env";
import { FakeEngine } from "../support/fake-engine";
import { isRunning, killQuietly, waitForExit } from "../support/processes";

const PLUGIN = path.join(repoRoot(), "bin", "pulumi-resource-genesys");

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the pulumi-resource-genesys executable", () => {
  const started: ChildProcess[] = [];
  const engines: FakeEngine[] = [];
  afterEach(() => {
    for (const child of started.splice(0)) if (child.pid) killQuietly(child.pid);
    for (const engine of engines.splice(0)) engine.stop();
  });

  it("prints only its port on stdout, serves the protocol there, and exits once the engine stops answering", async () => {
    const engine = await FakeEngine.start();
    engines.push(engine);
    const spawnedAt = process.hrtime.bigint();
    const child = spawn(PLUGIN, [engine.address], { cwd: repoRoot(), stdio: ["ignore", "pipe", "pipe"] });
    started.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    await waitFor(() => /\n/.test(stdout) || child.exitCode !== null, 60_000, "the plugin's port");
    const startupMs = Number(process.hrtime.bigint() - spawnedAt) / 1e6;
    expect(stdout, stderr).toMatch(/^\d+\n$/);

    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${stdout.trim()}`, grpc.credentials.createInsecure());
    const info = await new Promise<plugproto.PluginInfo>((resolve, reject) =>
      client.getPluginInfo(new Empty(), (err, res) => (err ? reject(err) : resolve(res))),
    );
    expect(info.getVersion()).toMatch(/^\d+\.\d+\.\d+/);
    client.close();
    // Figures for the report (not asserted: speed belongs in bench/).
    const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
    console.log(`plugin start-up ${startupMs.toFixed(0)} ms to its port; RSS ${rss} kB when serving`);

    await waitFor(() => engine.checks >= 2, 30_000, "the plugin's health checks of its engine");
    expect(isRunning(child.pid!)).toBe(true);
    engine.stop();
    expect(await waitForExit(child.pid!, 30_000), stderr).toBe(true);
    await waitFor(() => /stopped answering/.test(stderr), 10_000, "the plugin's last words");
    expect(stderr).toContain(`pulumi-resource-genesys: the engine at ${engine.address} stopped answering`);
  }, 90_000);
});
