/** The emulator and load balancer receiver each benchmark runs against, in this process, on 127.0.0.1. */
import { randomBytes } from "node:crypto";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";

const ADMIN_TOKEN = "bench-admin";

export interface LoggedRequest {
  time: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

export interface Services {
  emulator: RunningEmulator;
  receiver?: RunningReceiver;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  requests(): Promise<LoggedRequest[]>;
  clearRequests(): Promise<void>;
  tokensIssued(): Promise<number>;
  /** The names of every brand (channel) or webhook the emulator holds, read through its public API. */
  names(kind: "brands" | "webhooks"): Promise<string[]>;
  close(): Promise<void>;
}

async function admin<T>(url: string, method: string, path: string): Promise<T> {
  const res = await fetch(`${url}/__admin${path}`, { method, headers: { "x-emulator-admin-token": ADMIN_TOKEN } });
  if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

async function listNames(url: string, clientId: string, clientSecret: string, path: string): Promise<string[]> {
  const tokenRes = await fetch(`${url}/oauth/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  if (!tokenRes.ok) throw new Error(`token for listing ${path}: ${tokenRes.status}`);
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const names: string[] = [];
  for (let page = 1; page <= 1000; page++) {
    const res = await fetch(`${url}${path}?pageSize=500&pageNumber=${page}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${path} page ${page}: ${res.status}`);
    const body = (await res.json()) as { entities: { name: string }[]; pageCount?: number };
    names.push(...body.entities.map((e) => e.name));
    if (!body.pageCount || page >= body.pageCount) break;
  }
  return names;
}

export async function startServices(
  opts: { rateLimit?: { requests: number; perSeconds: number }; receiver?: boolean } = {},
): Promise<Services> {
  const clientId = "bench-client";
  const clientSecret = `bench-${randomBytes(8).toString("hex")}`;
  const webhookSecret = `hook-${randomBytes(8).toString("hex")}`;
  const emulator = await startEmulator({
    port: 0,
    data: ":memory:",
    clients: [{ clientId, clientSecret }],
    rateLimit: opts.rateLimit ?? { requests: 1_000_000, perSeconds: 1 },
    adminToken: ADMIN_TOKEN,
    quiet: true,
  });
  const receiver = opts.receiver ? await startReceiver({ port: 0, host: "127.0.0.1", secret: webhookSecret }) : undefined;
  return {
    emulator,
    receiver,
    clientId,
    clientSecret,
    webhookSecret,
    requests: async () => (await admin<{ requests: LoggedRequest[] }>(emulator.url, "GET", "/requests")).requests,
    clearRequests: () => admin<void>(emulator.url, "DELETE", "/requests"),
    tokensIssued: async () => (await admin<{ issued: number }>(emulator.url, "GET", "/tokens/count")).issued,
    names: (kind) =>
      listNames(emulator.url, clientId, clientSecret, kind === "brands" ? "/api/v2/webchat/brands" : "/api/v2/webhooks/webhooks"),
    close: async () => {
      await receiver?.close();
      await emulator.close();
    },
  };
}

/** The stack config that points the provider at these services. */
export function stackConfig(
  s: Services,
  extra: Record<string, string> = {},
): { config: Record<string, string>; secrets: Record<string, string> } {
  return {
    config: {
      "genesys:apiUrl": s.emulator.url,
      "genesys:clientId": s.clientId,
      "genesys:allowPrivateNetworks": "true",
      ...(s.receiver ? { "lb:callbackUrl": `${s.receiver.url}/events` } : {}),
      ...extra,
    },
    secrets: { "genesys:clientSecret": s.clientSecret, ...(s.receiver ? { "genesys:webhookSecret": s.webhookSecret } : {}) },
  };
}
