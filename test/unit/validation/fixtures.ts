import { readFileSync } from "node:fs";
import { join } from "node:path";

export const TEST_SIGNING_KEY = "corpus-test-signing-key";

export type CertName =
  "root-ca" | "intermediate-ca" | "leaf" | "leaf-expired" | "leaf-not-yet-valid" | "intermediate-impostor" | "unrelated-ca";

export function pem(name: CertName): string {
  return readFileSync(join(__dirname, "../../fixtures/certs", `${name}.pem`), "utf8");
}

/** The PEM-lines form of the source design: one array element per line of PEM text. */
export function pemLines(...texts: string[]): string[] {
  return texts.flatMap((t) => t.trim().split("\n"));
}

/** The source design's example channel, with a real chain instead of its empty BEGIN/END pair. */
export function sourceDesignExample(): Record<string, unknown> {
  return {
    name: "Enterprise Web Messaging Endpoint",
    description: "API-provisioned channel with TLS and rate limit enforcement",
    endpointUrl: "https://wss.example.com/messages",
    allowedOrigins: ["https://app.example.com"],
    channelTypes: ["webchat"],
    settings: {
      maxConcurrentSessions: 8000,
      rateLimitThreshold: 3000,
      tlsCertificateChain: [pem("leaf"), pem("intermediate-ca")],
      healthCheckInterval: 300,
    },
  };
}

/** A small valid definition; `patch` edits a deep copy. */
export function minimal(patch: (d: any) => void = () => {}): Record<string, unknown> {
  const d = {
    name: "Support chat",
    endpointUrl: "wss://chat.example.com/ws",
    allowedOrigins: ["https://app.example.com"],
    channelTypes: ["webmessaging"],
    settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50 },
  };
  patch(d);
  return d;
}
