import { afterEach, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type RunningReceiver, startReceiver } from "../../../lb-receiver/server";
import { ReplayGuard, sign, verifyDelivery } from "../../../lb-receiver/verify";

const secret = "receiver-test-secret";

function delivery(id: string, eventType: string, brandId = "b1", name = "Support") {
  return JSON.stringify({
    id,
    eventType,
    timestamp: new Date().toISOString(),
    brand: { id: brandId, name, endpointUrl: `wss://${name.toLowerCase()}.example.com`, healthStatus: "active" },
  });
}

async function post(url: string, body: string, opts: { secret?: string; ts?: number; id?: string; signature?: string } = {}) {
  const ts = String(opts.ts ?? Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-genesys-timestamp": ts,
    "x-genesys-delivery-id": opts.id ?? JSON.parse(body).id,
  };
  const signature = opts.signature ?? (opts.secret ? sign(opts.secret, ts, body) : undefined);
  if (signature) headers["x-genesys-signature"] = signature;
  const res = await fetch(`${url}/events`, { method: "POST", headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("load balancer receiver", () => {
  let receiver: RunningReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it("rejects a delivery whose signature does not match the body", async () => {
    receiver = await startReceiver({ secret });
    const body = delivery("d1", "webchat.brand.created");
    const forged = await post(receiver.url, body, { secret: "another-secret" });
    expect(forged.status).toBe(401);
    expect(forged.body.error).toMatch(/signature/);
    const unsigned = await post(receiver.url, body);
    expect(unsigned.status).toBe(401);
    expect(receiver.pool()).toEqual([]);
  });

  it("rejects a signed delivery whose timestamp is older than five minutes", async () => {
    receiver = await startReceiver({ secret });
    const res = await post(receiver.url, delivery("d1", "webchat.brand.created"), { secret, ts: Math.floor(Date.now() / 1000) - 301 });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatch(/timestamp/);
    expect(receiver.pool()).toEqual([]);
  });

  it("acknowledges a replayed delivery id without applying it twice", async () => {
    receiver = await startReceiver({ secret });
    expect((await post(receiver.url, delivery("d1", "webchat.brand.created"), { secret })).body.status).toBe("applied");
    expect((await post(receiver.url, delivery("d2", "webchat.brand.deleted"), { secret })).body.status).toBe("applied");
    const replay = await post(receiver.url, delivery("d1", "webchat.brand.created"), { secret });
    expect(replay).toEqual({ status: 200, body: { status: "duplicate ignored" } });
    expect(receiver.pool()).toEqual([]);
  });

  it("keeps the pool: added on created and updated, removed on deleted, served at /pool", async () => {
    receiver = await startReceiver({ secret });
    await post(receiver.url, delivery("d1", "webchat.brand.created", "b1", "Support"), { secret });
    await post(receiver.url, delivery("d2", "webchat.brand.created", "b2", "Sales"), { secret });
    await post(receiver.url, delivery("d3", "webchat.brand.updated", "b1", "Care"), { secret });
    await post(receiver.url, delivery("d4", "webchat.brand.deleted", "b2", "Sales"), { secret });
    const pool = (await (await fetch(`${receiver.url}/pool`)).json()) as {
      members: { brandId: string; name: string; endpointUrl: string }[];
    };
    expect(pool.members.map((m) => [m.brandId, m.name, m.endpointUrl])).toEqual([["b1", "Care", "wss://care.example.com"]]);
  });

  it("keeps its pool across a restart when given a state file", async () => {
    const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lbr-")), "pool.json");
    receiver = await startReceiver({ secret, stateFile });
    await post(receiver.url, delivery("d1", "webchat.brand.created"), { secret });
    await receiver.close();
    receiver = await startReceiver({ secret, stateFile });
    expect(receiver.pool().map((m) => m.brandId)).toEqual(["b1"]);
  });

  it("compares signatures of different lengths without throwing", () => {
    const ts = String(Math.floor(Date.now() / 1000));
    expect(verifyDelivery({ secret, rawBody: "{}", timestamp: ts, signature: "sha256=00" })).toEqual({
      ok: false,
      status: 401,
      reason: "signature",
    });
    expect(verifyDelivery({ secret, rawBody: "{}", timestamp: ts, signature: sign(secret, ts, "{}") })).toEqual({ ok: true });
  });

  it("forgets delivery ids only after the replay window", () => {
    const guard = new ReplayGuard(1000);
    expect(guard.firstTime("a", 0)).toBe(true);
    expect(guard.firstTime("a", 500)).toBe(false);
    expect(guard.firstTime("a", 2000)).toBe(true);
  });
});
