/**
 * The source design's provisioning loop (../shared/seed/000_dbd64051a7e56c66.txt), reproduced as a
 * baseline for the throughput benchmark. Per channel, one after another:
 *   validate   HMAC of the payload against itself, the two limits, a DNS look-up of the endpoint host
 *   provision  POST /api/v2/webchat/brands; on 429 wait 1 s, 2 s, 4 s (three retries, Retry-After
 *              ignored); any other error fails the channel
 *   health     GET /api/v2/webchat/brands/{id}?expand=health, no retry
 *   webhook    POST /api/v2/webhooks/webhooks named "WebMessaging-LoadBalancer-Sync", no retry
 *   audit      the seed's rewrite-the-array writer (seed-audit-baseline.ts)
 * with the tutorial's GenesysAuth token cache (grant_type in the query, as it sends it).
 *
 * Deviations, each named: the DNS check uses dns.lookup (what our provider uses) instead of
 * dns.resolve4, which needs a DNS server and fails for "localhost" on a machine without one; with
 * `uniqueWebhookNames` each channel's webhook gets its own name, which isolates the retry policy
 * from the seed's fixed webhook name (every channel after the first gets 409 with it).
 * Kept only as a baseline: nothing in provider/ imports it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { promises as dns } from "node:dns";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import axios, { type AxiosError } from "axios";
import type { ChannelDeclaration } from "../stacks/program";
import { SeedProvisioningMetrics } from "./seed-audit-baseline";

class GenesysAuth {
  private token: string | null = null;
  private expiryTimestamp = 0;
  tokenRequests = 0;

  constructor(
    private readonly clientId: string,
    private readonly clientSecret: string,
    readonly baseUrl: string,
  ) {}

  async getAccessToken(): Promise<string> {
    if (this.token && Date.now() < this.expiryTimestamp) return this.token;
    this.tokenRequests++;
    const response = await axios.post(`${this.baseUrl}/oauth/token`, null, {
      params: { grant_type: "client_credentials" },
      auth: { username: this.clientId, password: this.clientSecret },
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    this.token = response.data.access_token as string;
    this.expiryTimestamp = Date.now() + response.data.expires_in * 1000 - 30000;
    return this.token;
  }
}

type Payload = Omit<ChannelDeclaration, "resourceName">;

async function validateProvisioningPayload(payload: Payload, signatureKey: string, providedSignature: string): Promise<void> {
  const computed = createHmac("sha256", signatureKey).update(JSON.stringify(payload)).digest("hex");
  if (!timingSafeEqual(Buffer.from(computed), Buffer.from(providedSignature))) throw new Error("Payload signature mismatch.");
  const settings = payload.settings as { maxConcurrentSessions: number; rateLimitThreshold: number };
  if (settings.maxConcurrentSessions > 10000) throw new Error("Max concurrent sessions exceeds gateway limit.");
  if (settings.rateLimitThreshold > 5000) throw new Error("Rate limit threshold exceeds gateway limit.");
  await dns.lookup(new URL(payload.endpointUrl as string).hostname);
}

async function provisionWebMessagingChannel(auth: GenesysAuth, payload: Payload): Promise<{ brandId: string }> {
  const token = await auth.getAccessToken();
  const maxRetries = 3;
  let retryCount = 0;
  let delay = 1000;
  while (retryCount <= maxRetries) {
    try {
      const response = await axios.post(`${auth.baseUrl}/api/v2/webchat/brands`, payload, {
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        timeout: 15000,
      });
      if (response.status === 201) return { brandId: response.data.id };
    } catch (error) {
      if ((error as AxiosError).response?.status === 429 && retryCount < maxRetries) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
        retryCount++;
        continue;
      }
      throw error;
    }
  }
  throw new Error("Max retries exceeded for 429 responses.");
}

async function triggerHealthCheck(auth: GenesysAuth, brandId: string): Promise<boolean> {
  const token = await auth.getAccessToken();
  const response = await axios.get(`${auth.baseUrl}/api/v2/webchat/brands/${brandId}`, {
    headers: { Authorization: `Bearer ${token}` },
    params: { expand: "health" },
  });
  return response.data.settings?.healthStatus === "active";
}

async function registerLoadBalancerWebhook(auth: GenesysAuth, callbackUrl: string, name: string): Promise<string> {
  const token = await auth.getAccessToken();
  const response = await axios.post(
    `${auth.baseUrl}/api/v2/webhooks/webhooks`,
    {
      name,
      uri: callbackUrl,
      eventFilters: [{ eventType: "webchat.brand.created" }, { eventType: "webchat.brand.updated" }],
      type: "rest",
      enabled: true,
      deliveryPolicy: { retryCount: 3, retryInterval: 60 },
    },
    { headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" } },
  );
  return response.data.id;
}

export interface SeedOptions {
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  callbackUrl: string;
  channels: ChannelDeclaration[];
  uniqueWebhookNames?: boolean;
  /** Stops starting new channels after this long, so a pathological run stays bounded. */
  budgetMs?: number;
}

export interface SeedResult {
  channels: number;
  attempted: number;
  succeeded: number;
  failed: number;
  /** Failed channels by the step and cause that failed them. */
  failures: Record<string, number>;
  wallS: number;
  tokenRequests: number;
  stoppedEarly: boolean;
}

function cause(step: string, err: unknown): string {
  const status = (err as AxiosError).response?.status;
  return `${step}: ${status ? `HTTP ${status}` : (err as Error).message}`;
}

export async function runSeedBaseline(opts: SeedOptions): Promise<SeedResult> {
  const auth = new GenesysAuth(opts.clientId, opts.clientSecret, opts.apiUrl);
  const logDir = mkdtempSync(path.join(os.tmpdir(), "gwm-seed-"));
  const metrics = new SeedProvisioningMetrics(logDir);
  const signatureKey = "seed-baseline-key";
  const failures: Record<string, number> = {};
  let succeeded = 0;
  let attempted = 0;
  const started = performance.now();
  const deadline = started + (opts.budgetMs ?? 300_000);
  try {
    for (const { resourceName, ...payload } of opts.channels) {
      if (performance.now() > deadline) break;
      attempted++;
      const t0 = Date.now();
      let step = "validate";
      try {
        const signature = createHmac("sha256", signatureKey).update(JSON.stringify(payload)).digest("hex");
        await validateProvisioningPayload(payload, signatureKey, signature);
        step = "provision";
        const { brandId } = await provisionWebMessagingChannel(auth, payload);
        step = "health";
        await triggerHealthCheck(auth, brandId);
        step = "webhook";
        await registerLoadBalancerWebhook(
          auth,
          opts.callbackUrl,
          opts.uniqueWebhookNames ? `WebMessaging-LoadBalancer-Sync-${resourceName}` : "WebMessaging-LoadBalancer-Sync",
        );
        await metrics.recordEvent("PROVISION_CHANNEL", payload, { success: true, brandId }, Date.now() - t0);
        succeeded++;
      } catch (err) {
        const key = cause(step, err);
        failures[key] = (failures[key] ?? 0) + 1;
        await metrics.recordEvent("PROVISION_CHANNEL_FAILED", payload, { success: false }, Date.now() - t0);
      }
    }
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
  return {
    channels: opts.channels.length,
    attempted,
    succeeded,
    failed: attempted - succeeded,
    failures,
    wallS: Math.round((performance.now() - started) / 10) / 100,
    tokenRequests: auth.tokenRequests,
    stoppedEarly: attempted < opts.channels.length,
  };
}
