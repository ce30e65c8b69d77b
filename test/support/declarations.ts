/** Channel declarations for e2e stacks (the JSON the program reads through `channelsFile`). */
export interface Declaration {
  resourceName: string;
  name: string;
  description?: string;
  endpointUrl: string;
  allowedOrigins: string[];
  channelTypes: ("webchat" | "webmessaging")[];
  settings: { maxConcurrentSessions: number; rateLimitThreshold: number; healthCheckInterval?: number; tlsCertificateChain?: string[] };
  signature?: string;
  adoptExistingId?: string;
}

export function declaration(resourceName: string, patch: Partial<Declaration> = {}): Declaration {
  return {
    resourceName,
    name: `Channel ${resourceName}`,
    description: `e2e channel ${resourceName}`,
    endpointUrl: `wss://localhost:9443/${resourceName}`,
    allowedOrigins: [`https://${resourceName}.example.com`],
    channelTypes: ["webmessaging"],
    settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50, healthCheckInterval: 300 },
    ...patch,
  };
}

/** The Pulumi state's view of one resource, by logical name. */
export function stateResource(
  exported: string,
  logicalName: string,
): { id: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> } | undefined {
  const resources = JSON.parse(exported).deployment.resources as {
    urn: string;
    id: string;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
  }[];
  return resources.find((r) => r.urn.endsWith(`::${logicalName}`));
}

/** Leaf paths whose values differ between two objects ("settings.rateLimitThreshold"). */
export function changedPaths(a: unknown, b: unknown, prefix = ""): string[] {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) =>
      changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k),
    );
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
}
