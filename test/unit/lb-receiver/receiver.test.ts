import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PoolBackend } from "../../../lb-receiver/backend";
import { TargetRefusedError } from "../../../lb-receiver/drivers/types";
import type { PoolMember } from "../../../lb-receiver/ledger";
import { type RunningReceiver, startReceiver } from "../../../lb-receiver/server";

const secret = "receiver-test-secret";
const T0 = Date.parse("2026-03-01T12:00:00.000Z");

/** The signature a sender computes, written out here rather than taken from the receiver. */
function hmac(key: string, timestamp: string, body: string): string {
  return "sha256=" + createHmac("sha256", key).update(`${timestamp}.${body}`).digest("hex");
}

interface DeliveryOpts {
  brandId?: string;
  name?: string;
  endpointUrl?: string;
  at?: number;
  enrolment?: { webhookId: string; reason: string };
}

function delivery(id: string, eventType: string, opts: DeliveryOpts = {}): string {
  const name = opts.name ?? "Support";
  return JSON.stringify({
    id,
    eventType,
    timestamp: new Date(opts.at ?? T0).toISOString(),
    brand: {
      id: opts.brandId ?? "b1",
      name,
      endpointUrl: opts.endpointUrl ?? `wss://${name.toLowerCase()}.example.com`,
      healthStatus: "active",
    },
    ...(opts.enrolment ? { enrolment: opts.enrolment } : {}),
  });
}

interface PostOpts {
  key?: string | null;
  ts?: string;
  deliveryId?: string | null;
  webhookId?: string;
  signature?: string;
}

async function post(receiver: RunningReceiver, body: string, opts: PostOpts = {}) {
  const ts = opts.ts ?? String(Math.floor(clock.now / 1000));
  const headers: Record<string, string> = { "content-type": "application/json", "x-genesys-timestamp": ts };
  if (opts.deliveryId !== null) headers["x-genesys-delivery-id"] = opts.deliveryId ?? (JSON.parse(body) as { id: string }).id;
  if (opts.webhookId) headers["x-genesys-webhook-id"] = opts.webhookId;
  const key = opts.key === undefined ? secret : opts.key;
  const signature = opts.signature ?? (key !== null ? hmac(key, ts, body) : undefined);
  if (signature) headers["x-genesys-signature"] = signature;
  const res = await fetch(`${receiver.url}/events`, { method: "POST", headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function poolOf(receiver: RunningReceiver): Promise<[string, string][]> {
  const res = await fetch(`${receiver.url}/pool`);
  const { members } = (await res.json()) as { members: PoolMember[] };
  return members.map((m) => [m.brandId, m.name]);
}

/** Resolves once `check` holds, polling: a condition to wait on, never a fixed sleep. */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A raw connection that records what the server sent and when it hung up. */
function rawConnection(url: string) {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), "127.0.0.1");
  const conn = { socket, received: "", closed: false };
  socket.on("data", (d: Buffer) => (conn.received += d.toString()));
  socket.on("error", () => undefined);
  socket.on("close", () => (conn.closed = true));
  return conn;
}

const clock = { now: T0 };
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "lbr-"));

describe("load balancer receiver", () => {
  let receiver: RunningReceiver | undefined;
  const start = async (opts: Parameters<typeof startReceiver>[0] = {}) =>
    (receiver = await startReceiver({ secret, now: () => clock.now, ...opts }));
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    clock.now = T0;
  });

  describe("verifying a delivery", () => {
    it("rejects a delivery signed with another secret, or not signed at all", async () => {
      const r = await start();
      const body = delivery("d1", "webchat.brand.created");
      const forged = await post(r, body, { key: "another-secret" });
      expect(forged).toEqual({ status: 401, body: { error: "rejected: bad signature" } });
      expect((await post(r, body, { key: null })).status).toBe(401);
      expect(await poolOf(r)).toEqual([]);
    });

    it("rejects a body changed after signing", async () => {
      const r = await start();
      const ts = String(Math.floor(clock.now / 1000));
      const signature = hmac(secret, ts, delivery("d1", "webchat.brand.created", { name: "Support" }));
      const res = await post(r, delivery("d1", "webchat.brand.created", { name: "Evil" }), { ts, signature });
      expect(res.status).toBe(401);
      expect(await poolOf(r)).toEqual([]);
    });

    it("accepts a timestamp exactly five minutes old or ahead, and refuses one a second beyond, either way", async () => {
      const r = await start();
      const nowS = Math.floor(clock.now / 1000);
      expect((await post(r, delivery("d1", "webchat.brand.created"), { ts: String(nowS - 300) })).status).toBe(200);
      expect((await post(r, delivery("d2", "webchat.brand.updated", { at: T0 + 1 }), { ts: String(nowS + 300) })).status).toBe(200);
      const old = await post(r, delivery("d3", "webchat.brand.updated", { at: T0 + 2 }), { ts: String(nowS - 301) });
      expect(old).toEqual({ status: 401, body: { error: "rejected: bad timestamp" } });
      const future = await post(r, delivery("d4", "webchat.brand.updated", { at: T0 + 3 }), { ts: String(nowS + 301) });
      expect(future).toEqual({ status: 401, body: { error: "rejected: bad timestamp" } });
      expect(r.pool().map((m) => m.lastDeliveryId)).toEqual(["d2"]);
    });

    it("refuses a missing or malformed timestamp with 400", async () => {
      const r = await start();
      for (const ts of ["", "17e8", "-5", "2026-03-01T12:00:00Z", "1".repeat(13)]) {
        const res = await post(r, delivery("d1", "webchat.brand.created"), { ts });
        expect([ts, res]).toEqual([ts, { status: 400, body: { error: "rejected: bad malformed timestamp" } }]);
      }
      expect(await poolOf(r)).toEqual([]);
    });

    it("refuses a signed body that is not a delivery, naming the field", async () => {
      const r = await start();
      const body = JSON.stringify({
        id: "d1",
        eventType: "webchat.brand.renamed",
        timestamp: new Date(T0).toISOString(),
        brand: { id: "b1" },
      });
      const res = await post(r, body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatch(/^rejected: malformed delivery: eventType: /);
      expect((await post(r, "not json", { deliveryId: null })).body).toEqual({ error: "rejected: body is not JSON" });
    });

    it("with allowUnsigned accepts unsigned deliveries but still checks their timestamp", async () => {
      const r = await start({ secret: undefined, allowUnsigned: true });
      expect((await post(r, delivery("d1", "webchat.brand.created"), { key: null })).status).toBe(200);
      const stale = await post(r, delivery("d2", "webchat.brand.created", { brandId: "b2" }), {
        key: null,
        ts: String(Math.floor(T0 / 1000) - 301),
      });
      expect(stale.status).toBe(401);
      expect(await poolOf(r)).toEqual([["b1", "Support"]]);
    });

    it("refuses to start without a secret unless allowUnsigned is set", async () => {
      await expect(startReceiver({})).rejects.toThrow(/needs the webhook signing secret/);
    });

    it("refuses a body over the size limit with 413 before buffering it, and keeps serving", async () => {
      const r = await start({ maxBodyBytes: 1024 });
      const big = delivery("d1", "webchat.brand.created", { name: "x".repeat(2000) });
      const res = await post(r, big);
      expect(res).toEqual({ status: 413, body: { error: "rejected: body larger than 1024 bytes" } });
      expect((await post(r, delivery("d2", "webchat.brand.created"))).status).toBe(200);
      expect(await poolOf(r)).toEqual([["b1", "Support"]]);
    });

    it("accepts a body of exactly the size limit", async () => {
      const r = await start({ maxBodyBytes: 1024 });
      const withPad = (pad: string) =>
        JSON.stringify({
          id: "d1",
          eventType: "webchat.brand.created",
          timestamp: new Date(T0).toISOString(),
          brand: { id: "b9", name: "Padded", endpointUrl: "wss://padded.example.com", pad },
        });
      const body = withPad("p".repeat(1024 - withPad("").length));
      expect(Buffer.byteLength(body)).toBe(1024);
      expect((await post(r, body)).body.status).toBe("applied");
    });

    it("refuses a streamed body without a length once it passes the limit", async () => {
      const r = await start({ maxBodyBytes: 1024 });
      const chunk = new TextEncoder().encode("x".repeat(512));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          // Far more than the limit: the receiver must answer without reading it all.
          if (sent++ < 10_000) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const res = await fetch(`${r.url}/events`, { method: "POST", body, duplex: "half" } as RequestInit);
      expect(res.status).toBe(413);
      expect(sent).toBeLessThan(10_000);
      expect(await poolOf(r)).toEqual([]);
    });
  });

  describe("keeping the pool", () => {
    it("adds on created and updated, removes on deleted, and serves it at /pool sorted by name", async () => {
      const r = await start();
      await post(r, delivery("d1", "webchat.brand.created", { brandId: "b1", name: "Support" }));
      await post(r, delivery("d2", "webchat.brand.created", { brandId: "b2", name: "Sales" }));
      await post(r, delivery("d3", "webchat.brand.created", { brandId: "b3", name: "Billing" }));
      await post(r, delivery("d4", "webchat.brand.updated", { brandId: "b1", name: "Care", at: T0 + 1 }));
      await post(r, delivery("d5", "webchat.brand.deleted", { brandId: "b2", name: "Sales", at: T0 + 1 }));
      expect(await poolOf(r)).toEqual([
        ["b3", "Billing"],
        ["b1", "Care"],
      ]);
    });

    it("does not let a replay bring back a deleted channel, whatever X-Genesys-Delivery-Id it carries", async () => {
      const r = await start();
      const created = delivery("d1", "webchat.brand.created");
      const ts = String(Math.floor(clock.now / 1000));
      const signature = hmac(secret, ts, created);
      expect((await post(r, created, { ts, signature })).body.status).toBe("applied");
      expect((await post(r, delivery("d2", "webchat.brand.deleted", { at: T0 + 1 }))).body.status).toBe("applied");
      const otherHeader = await post(r, created, { ts, signature, deliveryId: "d1-again" });
      expect(otherHeader).toEqual({ status: 400, body: { error: "rejected: X-Genesys-Delivery-Id does not match the signed body's id" } });
      expect(await post(r, created, { ts, signature })).toEqual({ status: 200, body: { status: "duplicate ignored" } });
      expect(await post(r, created, { ts, signature, deliveryId: null })).toEqual({ status: 200, body: { status: "duplicate ignored" } });
      expect(await poolOf(r)).toEqual([]);
    });

    it("refuses an event older than the last one applied to the same channel, and acknowledges it", async () => {
      const r = await start();
      await post(r, delivery("d1", "webchat.brand.created", { name: "Support", at: T0 }));
      await post(r, delivery("d2", "webchat.brand.updated", { name: "Care", at: T0 + 2000 }));
      const late = await post(r, delivery("d3", "webchat.brand.updated", { name: "Old", at: T0 + 1000 }));
      expect(late).toEqual({ status: 200, body: { status: "stale ignored", lastEventAt: new Date(T0 + 2000).toISOString() } });
      // Another channel has its own clock.
      expect((await post(r, delivery("d4", "webchat.brand.created", { brandId: "b2", name: "Sales", at: T0 + 1000 }))).body.status).toBe(
        "applied",
      );
      expect(await poolOf(r)).toEqual([
        ["b1", "Care"],
        ["b2", "Sales"],
      ]);
    });

    it("never re-adds a channel that Genesys reported deleted, even from a newer event", async () => {
      const r = await start();
      await post(r, delivery("d1", "webchat.brand.created"));
      await post(r, delivery("d2", "webchat.brand.deleted", { at: T0 + 1000 }));
      const res = await post(r, delivery("d3", "webchat.brand.updated", { at: T0 + 2000 }));
      expect(res.body.status).toBe("stale ignored");
      expect(await poolOf(r)).toEqual([]);
    });

    it("remembers delivery ids and channel clocks across a restart, in a state folder it creates", async () => {
      const stateFile = path.join(tmpDir(), "not", "yet", "there", "pool.json");
      let r = await start({ stateFile });
      const created = delivery("d1", "webchat.brand.created");
      const ts = String(Math.floor(clock.now / 1000));
      const signature = hmac(secret, ts, created);
      await post(r, created, { ts, signature });
      await post(r, delivery("d2", "webchat.brand.deleted", { at: T0 + 1 }));
      await r.close();
      r = await start({ stateFile });
      expect(await post(r, created, { ts, signature })).toEqual({ status: 200, body: { status: "duplicate ignored" } });
      // Long after the id is forgotten, the sender's re-signed retry of the old event is still refused.
      clock.now = T0 + 3600_000;
      await r.close();
      r = await start({ stateFile });
      expect((await post(r, created)).body.status).toBe("stale ignored");
      expect(await poolOf(r)).toEqual([]);
      const saved = JSON.parse(fs.readFileSync(stateFile, "utf8")) as { channels: { brandId: string; deleted?: boolean }[] };
      expect(saved.channels).toEqual([expect.objectContaining({ brandId: "b1", deleted: true })]);
      expect(fs.existsSync(`${stateFile}.tmp`)).toBe(false);
    });

    it("keeps the pool across a restart", async () => {
      const stateFile = path.join(tmpDir(), "pool.json");
      let r = await start({ stateFile });
      await post(r, delivery("d1", "webchat.brand.created"));
      await r.close();
      r = await start({ stateFile });
      expect(await poolOf(r)).toEqual([["b1", "Support"]]);
    });

    it("reads a state file written by the earlier receiver, which held only the pool members", async () => {
      const stateFile = path.join(tmpDir(), "pool.json");
      const legacy = [
        { brandId: "b1", name: "Support", endpointUrl: "wss://s.example.com", lastEvent: "webchat.brand.created", lastDeliveryId: "d1" },
      ];
      fs.writeFileSync(stateFile, JSON.stringify(legacy));
      const r = await start({ stateFile });
      expect(await poolOf(r)).toEqual([["b1", "Support"]]);
    });

    it("refuses to start on a state file it cannot read, naming the file", async () => {
      const stateFile = path.join(tmpDir(), "pool.json");
      fs.writeFileSync(stateFile, "{ half");
      await expect(startReceiver({ secret, stateFile })).rejects.toThrow(`state file ${stateFile} is not valid JSON`);
    });
  });

  describe("enrolments from the provider", () => {
    const enrolment = (webhookId: string, reason = "webhook created") => ({ webhookId, reason });

    it("marks a member as enrolled by the provider or updated by the platform", async () => {
      const r = await start();
      await post(r, delivery("d1", "webchat.brand.updated", { enrolment: enrolment("w1") }));
      expect(r.pool().map((m) => [m.lastSource, m.followers])).toEqual([["enrolment", ["w1"]]]);
      await post(r, delivery("d2", "webchat.brand.updated", { at: T0 + 1 }), { webhookId: "w1" });
      expect(r.pool().map((m) => [m.lastSource, m.followers])).toEqual([["platform", ["w1"]]]);
    });

    it("takes a channel out only when no webhook follows it any more, and a removal does not mark it deleted", async () => {
      const r = await start();
      await post(r, delivery("d1", "webchat.brand.updated", { enrolment: enrolment("w1") }));
      await post(r, delivery("d2", "webchat.brand.updated", { at: T0 + 1, enrolment: enrolment("w2") }));
      await post(r, delivery("d3", "webchat.brand.deleted", { at: T0 + 2, enrolment: enrolment("w1", "webhook deleted") }));
      expect(r.pool().map((m) => [m.brandId, m.followers])).toEqual([["b1", ["w2"]]]);
      await post(r, delivery("d4", "webchat.brand.deleted", { at: T0 + 3, enrolment: enrolment("w2", "webhook disabled") }));
      expect(await poolOf(r)).toEqual([]);
      // The channel still exists: following it again enrols it again.
      expect(
        (await post(r, delivery("d5", "webchat.brand.updated", { at: T0 + 4, enrolment: enrolment("w2", "webhook enabled") }))).body.status,
      ).toBe("applied");
      expect(await poolOf(r)).toEqual([["b1", "Support"]]);
    });

    it("refuses an enrolment whose state was read before a platform event already applied", async () => {
      const r = await start();
      await post(r, delivery("d1", "webchat.brand.updated", { name: "Care", at: T0 + 1000 }), { webhookId: "w1" });
      const res = await post(r, delivery("d2", "webchat.brand.updated", { name: "Support", at: T0, enrolment: enrolment("w1") }));
      expect(res.body.status).toBe("stale ignored");
      expect(await poolOf(r)).toEqual([["b1", "Care"]]);
    });
  });

  describe("the pool backend", () => {
    it("answers 503 with a short reason and forgets the delivery when the backend fails, so the sender's retry applies it", async () => {
      let failing = true;
      const applied: string[] = [];
      const backend: PoolBackend = {
        sync: async () => undefined,
        upsert: async (m) => {
          if (failing) throw new Error("haproxy runtime API unreachable");
          applied.push(`upsert ${m.brandId}`);
        },
        remove: async (id) => void applied.push(`remove ${id}`),
      };
      const logged: string[] = [];
      const r = await start({ backend, log: (line) => logged.push(line) });
      const body = delivery("d1", "webchat.brand.created");
      expect(await post(r, body)).toEqual({
        status: 503,
        body: { error: "not applied, retry later: the load balancer or the state file did not take the change" },
      });
      // The backend's own words go to the log only.
      expect(logged).toEqual(["delivery not applied: haproxy runtime API unreachable"]);
      expect(await poolOf(r)).toEqual([]);
      failing = false;
      expect((await post(r, body)).body.status).toBe("applied");
      await post(r, delivery("d2", "webchat.brand.deleted", { at: T0 + 1 }));
      expect(applied).toEqual(["upsert b1", "remove b1"]);
    });

    it("never hands the backend an endpoint whose host is not a DNS name or an IP address", async () => {
      const upserts: string[] = [];
      const backend: PoolBackend = {
        sync: async () => undefined,
        upsert: async (m) => void upserts.push(m.endpointUrl),
        remove: async () => {},
      };
      const r = await start({ backend });
      for (const [i, endpointUrl] of ["https://a);operator;help;b.example:1/", "https://a;help;b.example:1/"].entries()) {
        const res = await post(r, delivery(`d${i}`, "webchat.brand.created", { endpointUrl, at: T0 + i }));
        expect(res).toEqual({ status: 422, body: { error: "rejected: brand.endpointUrl: host is not a DNS name or an IP address" } });
      }
      expect(upserts).toEqual([]);
      expect(await poolOf(r)).toEqual([]);
      expect(
        (await post(r, delivery("d9", "webchat.brand.created", { endpointUrl: "https://[2001:db8::1]:8443/", at: T0 + 9 }))).status,
      ).toBe(200);
      expect(upserts).toEqual(["https://[2001:db8::1]:8443/"]);
    });

    it("answers 422, not a retry, when the backend refuses the endpoint itself", async () => {
      const logged: string[] = [];
      const backend: PoolBackend = {
        sync: async () => undefined,
        upsert: async () => {
          throw new TargetRefusedError("endpoint refused: port 0");
        },
        remove: async () => {},
      };
      const r = await start({ backend, log: (line) => logged.push(line) });
      expect(await post(r, delivery("d1", "webchat.brand.created"))).toEqual({
        status: 422,
        body: { error: "rejected: the load balancer refused this endpoint" },
      });
      expect(logged).toEqual(["delivery not applied: endpoint refused: port 0"]);
      expect(await poolOf(r)).toEqual([]);
    });

    it("is given the persisted pool at start", async () => {
      const stateFile = path.join(tmpDir(), "pool.json");
      let r = await start({ stateFile });
      await post(r, delivery("d1", "webchat.brand.created"));
      await r.close();
      const synced: string[][] = [];
      r = await start({
        stateFile,
        backend: { sync: async (ms) => void synced.push(ms.map((m) => m.brandId)), upsert: async () => {}, remove: async () => {} },
      });
      expect(synced).toEqual([["b1"]]);
    });
  });

  describe("binding its port", () => {
    it("names the port in use, and waits for it when asked to", async () => {
      const first = await start();
      const port = Number(new URL(first.url).port);
      await expect(startReceiver({ secret, port })).rejects.toThrow(
        `port ${port} on 127.0.0.1 is in use; stop whatever holds it or choose another --port`,
      );
      const logged: string[] = [];
      const second = startReceiver({ secret, port, bindRetryMs: 60_000, log: (line) => logged.push(line) });
      // Freed only once the second receiver found it taken, so it is the waiting that gets it.
      await until(() => logged.length > 0, "the second receiver to find the port in use");
      expect(logged).toEqual([`port ${port} on 127.0.0.1 is in use; waiting up to 60 s for it`]);
      await first.close();
      receiver = await second;
      expect(receiver.url).toBe(`http://127.0.0.1:${port}`);
    });
  });

  describe("holding connections", () => {
    it("cuts off a request whose body stops arriving, after the request timeout", async () => {
      const r = await start({ requestTimeoutMs: 300, headersTimeoutMs: 300 });
      const conn = rawConnection(r.url);
      // Promises 1000 bytes, sends 10 and then nothing.
      conn.socket.write('POST /events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"id":"d1"');
      await until(() => conn.closed, "the receiver to close the half-sent request");
      expect(conn.received).toMatch(/^HTTP\/1\.1 408 /);
      expect(await poolOf(r)).toEqual([]);
    });

    it("cuts off a client that never finishes its headers", async () => {
      const r = await start({ headersTimeoutMs: 300 });
      const conn = rawConnection(r.url);
      conn.socket.write("POST /events HTTP/1.1\r\nHost: x\r\n");
      await until(() => conn.closed, "the receiver to close the header-less request");
      expect(conn.received).toMatch(/^HTTP\/1\.1 408 /);
    });

    it("refuses connections beyond the cap and takes new ones once a slot is free", async () => {
      const r = await start({ maxConnections: 2 });
      const held = [rawConnection(r.url), rawConnection(r.url)];
      // Each held connection is known to the server once it answered a request on it.
      for (const conn of held) conn.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      await until(() => held.every((c) => c.received.includes("\r\n\r\n")), "both held connections to be served");
      const extra = rawConnection(r.url);
      extra.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
      await until(() => extra.closed, "the connection over the cap to be closed");
      expect(extra.received).toBe("");
      expect(held.map((c) => c.closed)).toEqual([false, false]);
      held[0]!.socket.destroy();
      await until(() => held[0]!.closed, "a held connection to close");
      // The server learns of the close asynchronously: a new connection gets in once it has.
      let status = 0;
      const deadline = Date.now() + 10_000;
      while (status !== 200 && Date.now() < deadline)
        status = await fetch(`${r.url}/health`).then(
          (res) => res.status,
          () => 0,
        );
      expect(status).toBe(200);
      held[1]!.socket.destroy();
    });
  });
});
