/**
 * The HAProxy driver against a real HAProxy (Debian's package, started by scripts/haproxy.ts) and
 * real TLS endpoints: traffic through the frontend proves what the backend holds.
 */
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HaproxyDriver } from "../../lb-receiver/drivers/haproxy";
import { runtimeCommand } from "../../lb-receiver/drivers/haproxy-runtime";
import { type Target, TargetRefusedError } from "../../lb-receiver/drivers/types";
import { type RunningHaproxy, startHaproxy } from "../../scripts/haproxy";
import { type NamedEndpoint, type TestCa, makeCa, startNamedEndpoint, tally } from "../support/tls-endpoints";
import { type RuntimeRecorder, startRuntimeRecorder } from "./runtime-recorder";

let dir: string;
let ca: TestCa;
let haproxy: RunningHaproxy;
let driver: HaproxyDriver;
const endpoints: NamedEndpoint[] = [];
const cleanups: (() => Promise<void>)[] = [];

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TLS endpoint that sends its headers and a first chunk, then holds every response open. */
async function startHeldEndpoint(): Promise<{ endpointUrl: string; served: () => number; open: () => number }> {
  let served = 0;
  let open = 0;
  const server = https.createServer(ca.issue(["localhost", "127.0.0.1"]), (req, res) => {
    served++;
    open++;
    req.socket.once("close", () => open--);
    res.writeHead(200, { "content-type": "text/plain", "x-endpoint": "held" });
    res.write("held");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { endpointUrl: `https://localhost:${port}/held`, served: () => served, open: () => open };
}

const sessionsOf = async (server: string) =>
  (await runtimeCommand(haproxy.socket, "show sess")).split("\n").filter((l) => l.includes(` srv=${server} `));

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
  for (const cleanup of cleanups) await cleanup();
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

  it("a removed channel gets no request, and removing it again is fine", async () => {
    await driver.remove("ch-c");
    const charlieBefore = endpoints[2]!.served();
    const seen = await tally(haproxy.frontendUrl, 20);
    expect(Object.keys(seen).sort()).toEqual(["alpha", "bravo-moved"]);
    expect(endpoints[2]!.served()).toBe(charlieBefore);
    await driver.remove("ch-c"); // already gone: still fine
  });

  it("puts a removed channel's server in maintenance, shuts its open sessions, then deletes it", async () => {
    const held = await startHeldEndpoint();
    await driver.upsert({ id: "ch-held", endpointUrl: held.endpointUrl });
    await untilAllUp(["ch-a", "ch-b", "ch-held"]);
    // Round robin: within a few requests one lands on the held endpoint and stays open.
    let stream: ReadableStreamDefaultReader<Uint8Array> | undefined;
    for (let i = 0; i < 12 && !stream; i++) {
      const res = await fetch(`${haproxy.frontendUrl}/`);
      if (res.headers.get("x-endpoint") === "held") stream = res.body!.getReader();
      else await res.text();
    }
    expect(stream, "no request reached the held endpoint").toBeDefined();
    expect(new TextDecoder().decode((await stream!.read()).value)).toBe("held");
    const streamEnd = stream!.read().then(
      (r) => (r.done ? "ended" : "more data"),
      () => "cut",
    );
    expect(await sessionsOf("ch-held")).toHaveLength(1);

    const recorder: RuntimeRecorder = await startRuntimeRecorder(haproxy.socket, path.join(dir, "recorder.sock"));
    cleanups.push(() => recorder.close());
    const viaRecorder = new HaproxyDriver({ socket: recorder.socket, backend: haproxy.backend, caFile: ca.caFile });
    const shutdown = recorder.hold("shutdown sessions");
    const removing = viaRecorder.remove("ch-held");
    await until(shutdown.reached, "the driver to ask for the sessions' shutdown");
    // Between the two steps: in maintenance, so no new request goes there, and the open session is still up.
    expect((await driver.servers()).find((s) => s.name === "ch-held")?.state).toBe("maint");
    const servedBefore = held.served();
    expect(Object.keys(await tally(haproxy.frontendUrl, 12)).sort()).toEqual(["alpha", "bravo-moved"]);
    expect(held.served()).toBe(servedBefore);
    expect(await sessionsOf("ch-held")).toHaveLength(1);
    expect(held.open()).toBe(1);

    shutdown.release();
    await removing;
    expect(await streamEnd).toBe("cut");
    await until(() => held.open() === 0, "the held endpoint's connection to close");
    expect(await sessionsOf("ch-held")).toEqual([]);
    expect((await driver.servers()).map((s) => s.name).sort()).toEqual(["ch-a", "ch-b"]);
    expect(recorder.commands.map((c) => c.split(" ").slice(0, 3).join(" "))).toEqual([
      "set server channels/ch-held",
      "shutdown sessions server",
      ...recorder.commands.slice(2).map(() => "del server channels/ch-held"),
    ]);
    expect(recorder.commands.length).toBeGreaterThanOrEqual(3);
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

  describe("a host name that would be a command line", () => {
    // As a wildcard DNS zone would: every name resolves, so only the driver's own check stands in the way.
    const resolveAll = async () => "127.0.0.1";

    it.each(["https://a);operator;help;b.example:1/", "https://a;help;b.example:1/", "wss://x)%3bhelp.example/"])(
      "%s is refused before anything reaches HAProxy",
      async (endpointUrl) => {
        const recorder = await startRuntimeRecorder(haproxy.socket, path.join(dir, "inject.sock"));
        try {
          const before = await driver.servers();
          const viaRecorder = new HaproxyDriver({
            socket: recorder.socket,
            backend: haproxy.backend,
            caFile: ca.caFile,
            resolve: resolveAll,
          });
          await expect(viaRecorder.upsert({ id: "evil", endpointUrl })).rejects.toThrow(TargetRefusedError);
          await expect(viaRecorder.reconcile([{ id: "evil", endpointUrl }])).rejects.toThrow(TargetRefusedError);
          expect(recorder.commands.filter((c) => c.includes("evil") || /help|operator/.test(c))).toEqual([]);
          expect(recorder.answers.join("")).not.toMatch(/Unknown command|help/i);
          expect(await driver.servers()).toEqual(before);
        } finally {
          await recorder.close();
        }
      },
    );

    it("the runtime client never sends a command with a separator or a line break in it", async () => {
      const recorder = await startRuntimeRecorder(haproxy.socket, path.join(dir, "separator.sock"));
      try {
        const before = await driver.servers();
        expect(before.length).toBeGreaterThan(0);
        const target = `${haproxy.backend}/${before[0]!.name}`;
        for (const command of [`show info;set server ${target} state maint`, `show info\nset server ${target} state maint`]) {
          await expect(runtimeCommand(recorder.socket, command)).rejects.toThrow(
            /^refused to send "show info[; ]set( server)?" to HAProxy: it holds ";" or a control character/,
          );
        }
        expect(recorder.commands).toEqual([]);
        expect(await driver.servers()).toEqual(before);
      } finally {
        await recorder.close();
      }
    });
  });
});
