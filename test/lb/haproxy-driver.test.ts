/**
 * The HAProxy driver against a real HAProxy (Debian's package, started by scripts/haproxy.ts) and
 * real TLS endpoints: traffic through the frontend proves what the backend holds.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HaproxyDriver } from "../../lb-receiver/drivers/haproxy";
import type { Target } from "../../lb-receiver/drivers/types";
import { type RunningHaproxy, startHaproxy } from "../../scripts/haproxy";
import { type NamedEndpoint, type TestCa, makeCa, startNamedEndpoint, tally } from "../support/tls-endpoints";

let dir: string;
let ca: TestCa;
let haproxy: RunningHaproxy;
let driver: HaproxyDriver;
const endpoints: NamedEndpoint[] = [];

const target = (id: string, e: NamedEndpoint): Target => ({ id, endpointUrl: e.endpointUrl });

async function untilAllUp(names: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const servers = await driver.servers();
    const up = names.every((n) => servers.find((s) => s.name === n)?.state === "up");
    if (up && servers.length === names.length) return;
    if (Date.now() > deadline) throw new Error(`servers not all up: ${JSON.stringify(servers)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "haproxy-driver-"));
  ca = makeCa(dir);
  haproxy = await startHaproxy({ dir, caFile: ca.caFile });
  driver = new HaproxyDriver({ socket: haproxy.socket, backend: haproxy.backend, caFile: ca.caFile });
  for (const name of ["alpha", "bravo", "charlie", "bravo-moved"]) endpoints.push(await startNamedEndpoint(ca, name));
});

afterAll(async () => {
  await haproxy?.stop();
  for (const e of endpoints) await e.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("HAProxy driver", () => {
  it("adds each channel as a verified TLS server and the frontend reaches all of them", async () => {
    const [a, b, c] = endpoints;
    for (const [id, e] of [
      ["ch-a", a],
      ["ch-b", b],
      ["ch-c", c],
    ] as const)
      await driver.upsert(target(id, e!));
    await untilAllUp(["ch-a", "ch-b", "ch-c"]);
    const seen = await tally(haproxy.frontendUrl, 30);
    expect(Object.keys(seen).sort()).toEqual(["alpha", "bravo", "charlie"]);
  });

  it("leaves a server alone when the same endpoint is applied again", async () => {
    const before = await driver.servers();
    await driver.upsert(target("ch-a", endpoints[0]!));
    expect(await driver.servers()).toEqual(before);
  });

  it("moves the traffic when a channel's endpoint changes", async () => {
    const moved = endpoints[3]!;
    await driver.upsert(target("ch-b", moved));
    await untilAllUp(["ch-a", "ch-b", "ch-c"]);
    const bravoBefore = endpoints[1]!.served();
    const seen = await tally(haproxy.frontendUrl, 30);
    expect(Object.keys(seen).sort()).toEqual(["alpha", "bravo-moved", "charlie"]);
    expect(endpoints[1]!.served()).toBe(bravoBefore);
    expect((await driver.servers()).find((s) => s.name === "ch-b")?.port).toBe(moved.port);
  });

  it("drains and removes a deleted channel, which then gets no request", async () => {
    await driver.remove("ch-c");
    const charlieBefore = endpoints[2]!.served();
    const seen = await tally(haproxy.frontendUrl, 20);
    expect(Object.keys(seen).sort()).toEqual(["alpha", "bravo-moved"]);
    expect(endpoints[2]!.served()).toBe(charlieBefore);
    await driver.remove("ch-c"); // already gone: still fine
  });

  it("rebuilds the backend by reconciling after HAProxy restarted", async () => {
    const before = await driver.instance();
    await haproxy.restart();
    expect(await driver.instance()).not.toBe(before);
    expect(await driver.servers()).toEqual([]);
    const report = await driver.reconcile([target("ch-a", endpoints[0]!), target("ch-b", endpoints[3]!)]);
    expect(report).toEqual({ added: ["ch-a", "ch-b"], updated: [], removed: [] });
    await untilAllUp(["ch-a", "ch-b"]);
    expect(Object.keys(await tally(haproxy.frontendUrl, 20)).sort()).toEqual(["alpha", "bravo-moved"]);
  });

  it("reconcile removes servers nobody declared and moves those at a stale address", async () => {
    await driver.upsert(target("stray", endpoints[2]!));
    const report = await driver.reconcile([target("ch-a", endpoints[0]!), target("ch-b", endpoints[1]!)]);
    expect(report).toEqual({ added: [], updated: ["ch-b"], removed: ["stray"] });
    await untilAllUp(["ch-a", "ch-b"]);
    expect(Object.keys(await tally(haproxy.frontendUrl, 20)).sort()).toEqual(["alpha", "bravo"]);
  });

  it("names the backend when HAProxy has no such backend", async () => {
    const wrong = new HaproxyDriver({ socket: haproxy.socket, backend: "nope" });
    await expect(wrong.servers()).rejects.toThrow('HAProxy has no backend "nope": add it to HAProxy\'s configuration');
  });

  it("names the socket when HAProxy is not there", async () => {
    const gone = new HaproxyDriver({ socket: path.join(dir, "missing.sock"), backend: "channels", timeoutMs: 1_000 });
    await expect(gone.servers()).rejects.toThrow(/HAProxy runtime API at .*missing\.sock did not answer "show servers state"/);
  });
});
