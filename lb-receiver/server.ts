/**
 * The reference load balancer sync receiver: takes signed webhook deliveries at POST /events and
 * keeps the pool of channel endpoints, served as JSON at GET /pool. A delivery is acknowledged
 * (2xx) only once its change is applied to the backend and, with a state file, durably saved, so
 * the sender retries anything that did not make it.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { NO_BACKEND, type PoolBackend } from "./backend";
import { TargetRefusedError } from "./drivers/types";
import { endpointHostProblem } from "./endpoint-host";
import { type Decision, Ledger, deliverySchema, type PoolMember } from "./ledger";
import { loadState, saveState } from "./state-file";
import { verifyDelivery } from "./verify";

/** Deliveries are a few hundred bytes; anything far larger is refused before it is buffered. */
const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
/**
 * The sender opens a few connections at a time and a delivery is sent in one go, so these only bite
 * on clients that hold connections open: each one is a socket and up to maxBodyBytes of memory.
 */
const DEFAULT_MAX_CONNECTIONS = 64;
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

export interface ReceiverOptions {
  port?: number;
  host?: string;
  /** Webhook signing secret; without it deliveries are accepted unsigned (allowUnsigned must be set). */
  secret?: string;
  allowUnsigned?: boolean;
  stateFile?: string;
  backend?: PoolBackend;
  maxBodyBytes?: number;
  /** Connections held at once; more are closed as they arrive. */
  maxConnections?: number;
  /** Time for a request's headers to arrive. */
  headersTimeoutMs?: number;
  /** Time for a whole request, headers and body, to arrive; a slower one is answered 408 and closed. */
  requestTimeoutMs?: number;
  /** Keep retrying a port that is still in use (a restart on the same port) for this long. */
  bindRetryMs?: number;
  now?: () => number;
  /** Where failures the sender is not told the details of go (default: stderr). */
  log?: (line: string) => void;
}

export interface RunningReceiver {
  url: string;
  pool(): PoolMember[];
  close(): Promise<void>;
}

export async function startReceiver(opts: ReceiverOptions = {}): Promise<RunningReceiver> {
  if (!opts.secret && !opts.allowUnsigned) {
    throw new Error("the receiver needs the webhook signing secret (or allowUnsigned for a test setup)");
  }
  const ledger = new Ledger(opts.stateFile ? loadState(opts.stateFile) : undefined);
  const backend = opts.backend ?? NO_BACKEND;
  await backend.sync(ledger.members());
  const now = opts.now ?? Date.now;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const log = opts.log ?? ((line: string) => console.error(`[lb-receiver] ${line}`));
  // One delivery at a time: each decision is made against the state the previous one left.
  let queue: Promise<unknown> = Promise.resolve();

  const handleDelivery = async (req: http.IncomingMessage, rawBody: string): Promise<[number, unknown]> => {
    const verdict = verifyDelivery({
      secret: opts.secret,
      rawBody,
      signature: header(req, "x-genesys-signature"),
      timestamp: header(req, "x-genesys-timestamp"),
      nowSeconds: Math.floor(now() / 1000),
    });
    if (!verdict.ok) return [verdict.status, { error: `rejected: bad ${verdict.reason}` }];
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return [400, { error: "rejected: body is not JSON" }];
    }
    const parsed = deliverySchema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return [400, { error: `rejected: malformed delivery: ${first.path.join(".") || "(body)"}: ${first.message}` }];
    }
    const delivery = parsed.data;
    // The header is not covered by the signature, the body's id is: one that disagrees is a tampered replay.
    const headerId = header(req, "x-genesys-delivery-id");
    if (headerId !== undefined && headerId !== delivery.id) {
      return [400, { error: "rejected: X-Genesys-Delivery-Id does not match the signed body's id" }];
    }
    const decision: Decision = ledger.decide(delivery, header(req, "x-genesys-webhook-id"), now());
    // Acknowledged, so the sender stops retrying, but never applied twice or over a newer event.
    if (decision.outcome === "duplicate") return [200, { status: "duplicate ignored" }];
    if (decision.outcome === "stale") return [200, { status: "stale ignored", lastEventAt: new Date(decision.lastEventAt).toISOString() }];
    const { change } = decision;
    if (change.kind === "upsert") {
      const problem = endpointHostProblem(change.member.endpointUrl);
      if (problem) return [422, { error: `rejected: brand.endpointUrl: ${problem}` }];
      await backend.upsert(change.member);
    } else if (change.kind === "remove") await backend.remove(change.brandId);
    const before = ledger.snapshot();
    ledger.commit(decision, now());
    if (opts.stateFile) {
      try {
        saveState(opts.stateFile, ledger.snapshot());
      } catch (err) {
        // Not acknowledged, so not remembered either: the sender's retry applies it again.
        ledger.restore(before);
        throw err;
      }
    }
    return [200, { status: "applied", change: change.kind, members: ledger.members().length }];
  };

  const requestTimeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const headersTimeout = Math.min(opts.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS, requestTimeout);
  const server = http.createServer({
    headersTimeout,
    requestTimeout,
    // How often Node looks for requests past those timeouts; its default (30 s) would let them run that long.
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeout / 4))),
  });
  server.maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const reply = (status: number, body: unknown) => {
      if (res.headersSent) return;
      res.writeHead(status, { "content-type": "application/json", ...(status === 413 ? { connection: "close" } : {}) });
      res.end(JSON.stringify(body));
    };
    if (req.method === "GET" && req.url === "/pool") {
      return reply(200, { members: ledger.members().sort((a, b) => a.name.localeCompare(b.name)) });
    }
    if (req.method === "GET" && req.url === "/health") return reply(200, { status: "ok" });
    if (req.method === "GET" && req.url === "/balancer") {
      if (!backend.describe) return reply(404, { error: "this receiver drives no load balancer (start it with --lb haproxy)" });
      return void backend.describe().then(
        (state) => reply(200, state),
        (err: Error) => reply(503, { error: err.message }),
      );
    }
    if (req.method !== "POST" || req.url !== "/events") return reply(404, { error: "not found" });

    // Answer, then drop the connection rather than read the rest of an oversized body.
    const tooLarge = () => {
      res.once("finish", () => req.socket.destroy());
      reply(413, { error: `rejected: body larger than ${maxBody} bytes` });
    };
    if (Number(req.headers["content-length"] ?? 0) > maxBody) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      if (size > maxBody) return;
      size += c.length;
      if (size > maxBody) return tooLarge();
      chunks.push(c);
    });
    req.on("end", () => {
      if (size > maxBody) return;
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const handled = queue.then(() => handleDelivery(req, rawBody));
      queue = handled.catch(() => undefined);
      handled.then(
        ([status, body]) => reply(status, body),
        (err: Error) => {
          // The load balancer's own words stay in the log: they may hold its configuration or, for a
          // hostile endpoint, whatever it was made to print.
          log(`delivery not applied: ${err.message}`);
          if (err instanceof TargetRefusedError) return reply(422, { error: "rejected: the load balancer refused this endpoint" });
          reply(503, { error: "not applied, retry later: the load balancer or the state file did not take the change" });
        },
      );
    });
  });

  const port = await listen(server, opts.port ?? 0, opts.host ?? "127.0.0.1", opts.bindRetryMs ?? 0, log);
  return {
    url: `http://127.0.0.1:${port}`,
    pool: () => ledger.members(),
    close: () =>
      new Promise<void>((resolve) => {
        backend.stop?.();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Binds, retrying while the port is still held (a previous instance closing), up to retryMs. */
async function listen(server: http.Server, port: number, host: string, retryMs: number, log: (line: string) => void): Promise<number> {
  const deadline = Date.now() + retryMs;
  for (let attempt = 0; ; attempt++) {
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      return (server.address() as AddressInfo).port;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
      if (Date.now() >= deadline) {
        throw new Error(
          `port ${port} on ${host} is in use${retryMs > 0 ? ` (still after ${Math.round(retryMs / 1000)} s)` : ""}; ` +
            `stop whatever holds it or choose another --port`,
          { cause: err },
        );
      }
      if (attempt === 0) log(`port ${port} on ${host} is in use; waiting up to ${Math.round(retryMs / 1000)} s for it`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
