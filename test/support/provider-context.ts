/** A provider runtime context wired to an in-process emulator, for integration tests. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AuditTrail } from "../../provider/audit";
import type { ProviderConfig } from "../../provider/config";
import { createGenesysClient } from "../../provider/genesys";
import { buildContext, type RuntimeContext } from "../../provider/runtime/context";
import type { Resolver } from "../../provider/validation";

/** Names resolve to a public documentation-free address unless a test says otherwise. */
const publicResolver: Resolver = async () => ["93.184.215.14"];

export function testContext(
  apiUrl: string,
  creds: { clientId: string; clientSecret: string },
  overrides: Partial<ProviderConfig> & { resolver?: Resolver } = {},
): RuntimeContext & { auditDir: string } {
  const auditDir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-audit-"));
  const { resolver, ...configOverrides } = overrides;
  const config: ProviderConfig = {
    clientId: creds.clientId,
    clientSecret: creds.clientSecret,
    apiUrl,
    allowPrivateNetworks: false,
    auditDir,
    healthTimeoutSeconds: 5,
    healthPollIntervalMs: 50,
    ...configOverrides,
  };
  const ctx = buildContext(config, {
    client: createGenesysClient({
      apiUrl,
      clientId: creds.clientId,
      clientSecret: creds.clientSecret,
      policy: { baseDelayMs: 5, maxDelayMs: 50, budgetMs: 5_000 },
    }),
    audit: new AuditTrail({
      dir: auditDir,
      secrets: [creds.clientSecret, config.signatureKey ?? "", config.webhookSecret ?? ""].filter(Boolean),
    }),
    resolver: resolver ?? publicResolver,
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))),
  });
  return Object.assign(ctx, { auditDir });
}

export function auditLines(dir: string): Record<string, unknown>[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".jsonl"))
    .sort()
    .flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n").filter(Boolean))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
