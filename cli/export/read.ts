/**
 * Reads an org through the provider's own client (pacing, retries, token pool, redaction): every
 * configuration with its latest published version and whether the draft is ahead of it, every
 * deployment, and the source design's channels and webhooks where that API answers.
 */
import { type Brand, GenesysApiError, type GenesysClient, orgListings } from "../../provider/genesys";
import type { Deployment } from "../../provider/resources/webDeployment/api";
import { projectOnto, sameDocument } from "../../provider/runtime/compare";
import { checkEndpointAddress } from "../../provider/validation";
import { type ConfigurationVersion, WebDeploymentConfigurationsApi } from "../../provider/resources/webDeploymentConfiguration/api";
import { configurationSchema } from "../../provider/resources/webDeploymentConfiguration/schema";
import type { ExportedChannel, ExportedConfiguration, ExportedDeployment, ExportedWebhook, Kind, Org, Skipped } from "./model";

/** The scope each surface needs, named in the error when the OAuth client lacks it. */
const SCOPES: Record<Kind, string> = {
  configuration: `"webdeployments:readonly" (or "webdeployments")`,
  deployment: `"webdeployments:readonly" (or "webdeployments")`,
  channel: `"webchat:brand:read"`,
  webhook: `"webhooks:webhook:write"`,
};

const PATHS: Record<Kind, string> = {
  configuration: "GET /api/v2/webdeployments/configurations",
  deployment: "GET /api/v2/webdeployments/deployments",
  channel: "GET /api/v2/webchat/brands",
  webhook: "GET /api/v2/webhooks/webhooks",
};

export class ExportError extends Error {
  readonly name = "ExportError";
}

export interface ReadOptions {
  /** Called once per kind when its listing is complete. */
  onKind?: (kind: Kind, count: number) => void;
  clientId: string;
}

/**
 * A whole surface that answers 404 is not in this org: skipped with that reason. A 403 is the
 * OAuth client lacking a scope: an error naming the scope, since an export without it would be
 * silently partial.
 */
async function surface<T>(kind: Kind, opts: ReadOptions, skipped: Skipped[], list: () => Promise<T[]>): Promise<T[]> {
  try {
    return await list();
  } catch (err) {
    if (err instanceof GenesysApiError && err.status === 404) {
      skipped.push({ kind, name: "*", reason: `${PATHS[kind]} answers 404: not in this org` });
      return [];
    }
    if (err instanceof GenesysApiError && err.status === 403) {
      throw new ExportError(
        `the OAuth client "${opts.clientId}" may not list ${kind}s (${PATHS[kind]} answered 403): ` +
          `grant it the ${SCOPES[kind]} scope, or run the export with a client that has it`,
        { cause: err },
      );
    }
    throw err;
  }
}

function documentOf(version: ConfigurationVersion): Record<string, unknown> {
  return projectOnto(configurationSchema, version) as Record<string, unknown>;
}

async function readConfiguration(client: GenesysClient, listed: ConfigurationVersion): Promise<ExportedConfiguration | Skipped> {
  const api = new WebDeploymentConfigurationsApi(client.transport);
  const latest = await api.latestPublished(listed.id);
  if (latest === undefined) return { kind: "configuration", name: listed.name, id: listed.id, reason: "deleted while the export read it" };
  if (latest === "") {
    return {
      kind: "configuration",
      name: listed.name,
      id: listed.id,
      reason: "never published (adopting it would publish its draft); publish it in Genesys and export again",
    };
  }
  const published = await api.version(listed.id, latest);
  const draft = await api.draft(listed.id);
  if (!published) return { kind: "configuration", name: listed.name, id: listed.id, reason: "deleted while the export read it" };
  const document = documentOf(published);
  return {
    id: listed.id,
    name: published.name,
    version: latest,
    document,
    draftAhead: draft !== undefined && !sameDocument(documentOf(draft), document),
  };
}

function deploymentOf(d: Deployment): ExportedDeployment {
  return {
    id: d.id,
    name: d.name,
    ...(d.description ? { description: d.description } : {}),
    allowAllDomains: d.allowAllDomains ?? false,
    allowedDomains: [...(d.allowedDomains ?? [])],
    ...(d.flow?.id ? { flowId: d.flow.id } : {}),
    ...(d.supportedContent?.id ? { supportedContentId: d.supportedContent.id } : {}),
    ...(d.pushIntegrations && d.pushIntegrations.length > 0 ? { pushIntegrations: d.pushIntegrations.map((p) => ({ ...p })) } : {}),
    configuration: { id: d.configuration.id, version: String(d.configuration.version) },
  };
}

/**
 * The check adoption runs on a channel's endpoint, run here first, so the generated README can list
 * genesys:allowPrivateNetworks where an endpoint is private and warn of one the provider refuses.
 */
async function endpointOf(url: string): Promise<ExportedChannel["endpoint"]> {
  const strict = await checkEndpointAddress(url, { allowPrivateNetworks: false });
  if (strict.length === 0) return "public";
  const lenient = await checkEndpointAddress(url, { allowPrivateNetworks: true });
  return lenient.length === 0 ? "private" : { refused: lenient.map((i) => i.message).join("; ") };
}

async function channelOf(b: Brand): Promise<ExportedChannel> {
  const s = b.settings;
  return {
    id: b.id,
    name: b.name,
    endpoint: await endpointOf(b.endpointUrl),
    spec: {
      name: b.name,
      description: b.description ?? "",
      endpointUrl: b.endpointUrl,
      allowedOrigins: [...(b.allowedOrigins ?? [])],
      channelTypes: [...(b.channelTypes ?? [])],
      settings: {
        maxConcurrentSessions: s.maxConcurrentSessions,
        rateLimitThreshold: s.rateLimitThreshold,
        tlsCertificateChain: [...(s.tlsCertificateChain ?? [])],
        healthCheckInterval: s.healthCheckInterval,
      },
    },
  };
}

interface ListedWebhook {
  id: string;
  name: string;
  uri: string;
  eventFilters?: { eventType: string; brandId?: string }[];
  enabled: boolean;
  deliveryPolicy: { retryCount: number; retryInterval: number };
  hasSecret?: boolean;
}

/** A webhook is a LoadBalancerWebhook when it follows exactly one channel; otherwise it is skipped with why. */
function webhookOf(w: ListedWebhook): ExportedWebhook | Skipped {
  const filters = w.eventFilters ?? [];
  const brands = [...new Set(filters.map((f) => f.brandId))];
  if (filters.length === 0 || brands.length !== 1 || brands[0] === undefined) {
    return { kind: "webhook", name: w.name, id: w.id, reason: "does not follow exactly one channel, which a LoadBalancerWebhook does" };
  }
  return {
    id: w.id,
    name: w.name,
    brandId: brands[0],
    callbackUrl: w.uri,
    eventTypes: [...new Set(filters.map((f) => f.eventType))].sort(),
    deliveryPolicy: { retryCount: w.deliveryPolicy.retryCount, retryInterval: w.deliveryPolicy.retryInterval },
    enabled: w.enabled,
    hasSecret: w.hasSecret ?? false,
  };
}

const isSkipped = (x: object): x is Skipped => "reason" in x;

export async function readOrg(client: GenesysClient, opts: ReadOptions): Promise<Org> {
  const list = orgListings(client.transport);
  const skipped: Skipped[] = [];
  const report = (kind: Kind, n: number) => opts.onKind?.(kind, n);

  const listedConfigurations = await surface("configuration", opts, skipped, () => list.configurations());
  const configurations: ExportedConfiguration[] = [];
  for (const listed of listedConfigurations) {
    const read = await readConfiguration(client, listed);
    if (isSkipped(read)) skipped.push(read);
    else configurations.push(read);
  }
  report("configuration", configurations.length);

  const deployments = (await surface("deployment", opts, skipped, () => list.deployments())).map(deploymentOf);
  report("deployment", deployments.length);

  const channels: ExportedChannel[] = [];
  for (const b of await surface("channel", opts, skipped, () => list.brands())) channels.push(await channelOf(b));
  report("channel", channels.length);

  const webhooks: ExportedWebhook[] = [];
  for (const w of await surface("webhook", opts, skipped, () => list.webhooks() as Promise<ListedWebhook[]>)) {
    const read = webhookOf(w);
    if (isSkipped(read)) skipped.push(read);
    else webhooks.push(read);
  }
  report("webhook", webhooks.length);

  return { configurations, deployments, channels, webhooks, skipped };
}
