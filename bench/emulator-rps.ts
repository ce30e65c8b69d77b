/**
 * Emulator capacity: requests per second on brand GETs, so that no other benchmark's figure is
 * the emulator's limit. The emulator runs as its own process (its CLI, as `npm run emulator`
 * starts it) and autocannon drives it from this one: both in one event loop would measure their
 * contention, not the server. Bounded by duration; traffic only to 127.0.0.1.
 *
 * autocannon (mcollina, used by Fastify's own benchmarks) rather than a loop of fetches: it keeps
 * connections pipelined at a fixed concurrency and reports latency percentiles from an HDR histogram.
 */
import * as path from "node:path";
import autocannon from "autocannon";
import { repoRoot } from "../scripts/pulumi-env";
import { startService } from "../scripts/services";
import { benchChannels } from "./support/channels";

export interface EmulatorRpsResult {
  route: string;
  connections: number;
  durationS: number;
  requests: number;
  rps: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
  /** rps divided by the highest rate another benchmark needs of the emulator. */
  headroom: number;
  peakNeededRps: number;
}

export async function emulatorRpsBench(opts: {
  connections: number;
  durationS: number;
  peakNeededRps: number;
}): Promise<EmulatorRpsResult> {
  const clientId = "rps-client";
  const clientSecret = "rps-secret";
  const service = await startService({
    script: path.join(repoRoot(), "dist", "emulator", "cli.js"),
    args: ["--port", "0", "--data", ":memory:", "--client", `${clientId}:${clientSecret}`, "--rate-limit", "100000000/1s", "--quiet"],
    ready: /listening on (http:\/\/\S+)/,
  });
  try {
    const url = service.url;
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString("base64");
    const tokenRes = await fetch(`${url}/oauth/token`, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    const token = ((await tokenRes.json()) as { access_token: string }).access_token;
    const { resourceName: _, ...spec } = benchChannels(1, "rps")[0]!;
    const created = await fetch(`${url}/api/v2/webchat/brands`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ ...spec, settings: { ...(spec.settings as object), tlsCertificateChain: [] } }),
    });
    if (created.status !== 201) throw new Error(`emulator refused the benchmark brand: ${created.status} ${await created.text()}`);
    const brandId = ((await created.json()) as { id: string }).id;
    const route = `/api/v2/webchat/brands/${brandId}`;
    const result = await autocannon({
      url: url + route,
      connections: opts.connections,
      duration: opts.durationS,
      headers: { authorization: `Bearer ${token}` },
    });
    const rps = result.requests.average;
    return {
      route: "GET /api/v2/webchat/brands/{id}",
      connections: opts.connections,
      durationS: opts.durationS,
      requests: result.requests.total,
      rps: Math.round(rps),
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      headroom: Math.round((rps / opts.peakNeededRps) * 10) / 10,
      peakNeededRps: opts.peakNeededRps,
    };
  } finally {
    await service.stop();
  }
}
