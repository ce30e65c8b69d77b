import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PoolBackend } from "../../../lb-receiver/backend";
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
  at?: number;
  enrolment?: { webhookId: string; reason: string };
}

function delivery(id: string, eventType: string, opts: DeliveryOpts = {}): string {
  const name = opts.name ?? "Support";
  return JSON.stringify({
    id,
    eventType,
    timestamp: new Date(opts.at ?? T0).toISOString(),
    brand: { id: opts.brandId ?? "b1", name, endpointUrl: `wss://${name.toLowerCase()}.example.com`, healthStatus: "active" },
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
    it("answers 503 and forgets the delivery when the backend fails, so the sender's retry applies it", async () => {
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
      const r = await start({ backend });
      const body = delivery("d1", "webchat.brand.created");
      expect(await post(r, body)).toEqual({ status: 503, body: { error: "not applied, retry later: haproxy runtime API unreachable" } });
      expect(await poolOf(r)).toEqual([]);
      failing = false;
      expect((await post(r, body)).body.status).toBe("applied");
      await post(r, delivery("d2", "webchat.brand.deleted", { at: T0 + 1 }));
      expect(applied).toEqual(["upsert b1", "remove b1"]);
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
      const second = startReceiver({ secret, port, bindRetryMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await first.close();
      receiver = await second;
      expect(receiver.url).toBe(`http://127.0.0.1:${port}`);
    });
  });
});
