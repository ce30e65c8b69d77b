/**
 * The reference load balancer sync receiver: takes signed webhook deliveries and keeps the pool
 * of channel endpoints (added on created/updated, removed on deleted), served as JSON at /pool.
 * The pool is saved to a file after each change so a restart loses nothing already acknowledged.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { BalancerSync, type PoolChange } from "./balancer-sync";
import type { LoadBalancerDriver, ServerState } from "./drivers/types";
import { ReplayGuard, verifyDelivery } from "./verify";

export interface PoolMember {
  brandId: string;
  name: string;
  endpointUrl: string;
  healthStatus?: string;
  lastEvent: string;
  lastDeliveryId: string;
}

export interface ReceiverOptions {
  port?: number;
  host?: string;
  /** Webhook signing secret; without it deliveries are accepted unsigned (allowUnsigned must be set). */
  secret?: string;
  allowUnsigned?: boolean;
  stateFile?: string;
  now?: () => number;
  /** A load balancer to keep equal to the pool (HAProxy: drivers/haproxy.ts); the pool alone by default. */
  balancer?: LoadBalancerDriver;
  balancerCheckIntervalMs?: number;
}

export interface RunningReceiver {
  url: string;
  pool(): PoolMember[];
  /** The load balancer's servers, when the receiver drives one. */
  balancerServers(): Promise<ServerState[] | undefined>;
  close(): Promise<void>;
}

interface Delivery {
  id: string;
  eventType: string;
  timestamp: string;
  brand: { id: string; name: string; endpointUrl: string; healthStatus?: string };
}

export async function startReceiver(opts: ReceiverOptions = {}): Promise<RunningReceiver> {
  if (!opts.secret && !opts.allowUnsigned) {
    throw new Error("the receiver needs the webhook signing secret (or allowUnsigned for a test setup)");
  }
  const members = new Map<string, PoolMember>(loadState(opts.stateFile).map((m) => [m.brandId, m]));
  const replay = new ReplayGuard();
  const now = opts.now ?? Date.now;
  const balancer = opts.balancer
    ? new BalancerSync(opts.balancer, () => [...members.values()].map((m) => ({ id: m.brandId, endpointUrl: m.endpointUrl })), {
        checkIntervalMs: opts.balancerCheckIntervalMs,
      })
    : undefined;
  // The load balancer starts equal to the persisted pool, or the receiver does not start.
  await balancer?.start();

  const save = () => {
    if (!opts.stateFile) return;
    const tmp = `${opts.stateFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify([...members.values()], null, 2));
    fs.renameSync(tmp, opts.stateFile);
  };

  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && req.url === "/pool") {
      return reply(200, { members: [...members.values()].sort((a, b) => a.name.localeCompare(b.name)) });
    }
    if (req.method === "GET" && req.url === "/health") return reply(200, { status: "ok" });
    if (req.method === "GET" && req.url === "/balancer") {
      if (!balancer) return reply(404, { error: "this receiver drives no load balancer" });
      return void balancer.servers().then(
        (servers) => reply(200, { kind: opts.balancer!.kind, servers }),
        (err: Error) => reply(503, { error: err.message }),
      );
    }
    if (req.method !== "POST" || req.url !== "/events") return reply(404, { error: "not found" });

    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const verdict = verifyDelivery({
        secret: opts.secret,
        rawBody,
        signature: header(req, "x-genesys-signature"),
        timestamp: header(req, "x-genesys-timestamp"),
        nowSeconds: Math.floor(now() / 1000),
      });
      if (!verdict.ok) return reply(verdict.status, { error: `rejected: bad ${verdict.reason}` });
      let delivery: Delivery;
      try {
        delivery = JSON.parse(rawBody) as Delivery;
      } catch {
        return reply(400, { error: "rejected: body is not JSON" });
      }
      const deliveryId = header(req, "x-genesys-delivery-id") ?? delivery.id;
      if (!deliveryId || !delivery.brand?.id) return reply(400, { error: "rejected: malformed delivery" });
      // Acknowledge repeats so the sender stops retrying, but act on each delivery only once.
      if (!replay.firstTime(deliveryId, now())) return reply(200, { status: "duplicate ignored" });
      // The load balancer first: a change it refused is not acknowledged, so the sender retries it.
      void (balancer ? balancer.apply(changeOf(delivery)) : Promise.resolve()).then(
        () => {
          apply(members, delivery, deliveryId);
          save();
          reply(200, { status: "applied", members: members.size });
        },
        (err: Error) => {
          replay.forget(deliveryId);
          reply(503, { error: `load balancer did not take the change: ${err.message}` });
        },
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    pool: () => [...members.values()],
    balancerServers: () => (balancer ? balancer.servers() : Promise.resolve(undefined)),
    close: () =>
      new Promise<void>((resolve) => {
        balancer?.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function changeOf(d: Delivery): PoolChange {
  if (d.eventType === "webchat.brand.deleted") return { kind: "remove", id: d.brand.id };
  // An update that keeps the endpoint (a name or health change) changes nothing in the load balancer;
  // upsert is idempotent there, so it is sent anyway.
  return { kind: "upsert", target: { id: d.brand.id, endpointUrl: d.brand.endpointUrl } };
}

function apply(members: Map<string, PoolMember>, d: Delivery, deliveryId: string): void {
  if (d.eventType === "webchat.brand.deleted") {
    members.delete(d.brand.id);
    return;
  }
  members.set(d.brand.id, {
    brandId: d.brand.id,
    name: d.brand.name,
    endpointUrl: d.brand.endpointUrl,
    healthStatus: d.brand.healthStatus,
    lastEvent: d.eventType,
    lastDeliveryId: deliveryId,
  });
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function loadState(file: string | undefined): PoolMember[] {
  if (!file || !fs.existsSync(file)) return [];
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return JSON.parse(fs.readFileSync(file, "utf8")) as PoolMember[];
}
