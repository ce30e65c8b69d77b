/** The benchmark's channel declarations: N valid channels shaped like the dev stack's. */
import type { ChannelDeclaration } from "../../stacks/program";

export function benchChannels(count: number, prefix = "bench"): ChannelDeclaration[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(3, "0");
    return {
      resourceName: `${prefix}-${n}`,
      name: `Bench Channel ${prefix} ${n}`,
      description: `Benchmark channel ${n}`,
      endpointUrl: `wss://localhost:9443/${prefix}/${n}`,
      allowedOrigins: [`https://site-${n}.example.com`, "https://www.example.com"],
      channelTypes: i % 2 ? ["webchat", "webmessaging"] : ["webmessaging"],
      settings: { maxConcurrentSessions: 1000 + i, rateLimitThreshold: 500 + i, healthCheckInterval: 300 },
    };
  });
}
