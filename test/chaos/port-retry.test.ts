/**
 * The chaos suite's emulator child process and its port: a probed port can be taken before the
 * emulator binds it, and a restarted emulator must come back on the port its URL names, on a
 * machine where other workers open and close ports all the time.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EmulatorProcess, freePort, sleep } from "../support/chaos";

const client = { clientId: "port-owner", clientSecret: "port-owner-secret" };

function holdPort(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

describe("the chaos emulator process and its port", () => {
  const cleanup: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function start(port: number): Promise<EmulatorProcess> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-port-retry-"));
    cleanup.push(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const emulator = await EmulatorProcess.start({ port, data: path.join(tmp, "emulator.db"), client, adminToken: "port-admin" });
    cleanup.push(() => emulator.stop());
    return emulator;
  }

  it("starts on another port when the probed one was taken before the bind", async () => {
    const port = await freePort();
    const squatter = await holdPort(port);
    cleanup.push(() => new Promise((resolve) => squatter.close(resolve)));
    const emulator = await start(port);
    expect(Number(new URL(emulator.url).port)).not.toBe(port);
    expect((await fetch(`${emulator.url}/api/v2/webchat/brands`)).status).toBe(401);
  }, 60_000);

  it("a restart waits for its port to be free again and comes back on the same URL", async () => {
    const emulator = await start(await freePort());
    const port = Number(new URL(emulator.url).port);
    await emulator.kill9();
    // Another process holds the port for a while, as another worker's socket may.
    const squatter = await holdPort(port);
    const released = sleep(1_500).then(() => new Promise((resolve) => squatter.close(resolve)));
    const restarted = await emulator.restart();
    cleanup.push(() => restarted.stop());
    await released;
    expect(restarted.url).toBe(emulator.url);
    expect((await fetch(`${restarted.url}/api/v2/webchat/brands`)).status).toBe(401);
  }, 60_000);
});
