import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../emulator";

export const ADMIN = "test-admin-token";
export const CLIENT = { id: "dev-client", secret: "dev-secret" };

export interface Harness {
  emu: RunningEmulator;
  url: string;
  token(clientId?: string, secret?: string): Promise<string>;
  api(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<Res>;
  admin(method: string, path: string, body?: unknown): Promise<Res>;
  close(): Promise<void>;
}

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
}

async function toRes(r: Response): Promise<Res> {
  const text = await r.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

export async function start(opts: EmulatorOptions = {}): Promise<Harness> {
  const emu = await startEmulator({ adminToken: ADMIN, quiet: true, ...opts });
  const url = emu.url;
  const h: Harness = {
    emu,
    url,
    async token(clientId = CLIENT.id, secret = CLIENT.secret) {
      const r = await fetch(`${url}/oauth/token`, {
        method: "POST",
        headers: { authorization: basic(clientId, secret), "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials",
      });
      if (r.status !== 200) throw new Error(`token request failed: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { access_token: string }).access_token;
    },
    async api(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (opts.body !== undefined) headers["content-type"] = "application/json";
      const r = await fetch(`${url}${path}`, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
      return toRes(r);
    },
    async admin(method, path, body) {
      const headers: Record<string, string> = { "x-emulator-admin-token": ADMIN };
      if (body !== undefined) headers["content-type"] = "application/json";
      const r = await fetch(`${url}/__admin${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return toRes(r);
    },
    close: () => emu.close(),
  };
  return h;
}

let seq = 0;
export function brandBody(overrides: Record<string, unknown> = {}): Record<string, any> {
  seq++;
  return {
    name: `Channel ${process.pid}-${seq}`,
    description: "API-provisioned channel",
    endpointUrl: "https://wss.example.com/messages",
    allowedOrigins: ["https://app.example.com"],
    channelTypes: ["webchat"],
    settings: { maxConcurrentSessions: 8000, rateLimitThreshold: 3000, tlsCertificateChain: [], healthCheckInterval: 300 },
    ...overrides,
  };
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(20);
  }
}
