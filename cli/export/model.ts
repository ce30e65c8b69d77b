/** What `npm run export` reads from an org, before filters and rendering. */
import type { BrandSpec } from "../../provider/genesys";

export type Kind = "configuration" | "deployment" | "channel" | "webhook";

export const KIND_LABELS: Record<Kind, string> = {
  configuration: "web deployment configurations",
  deployment: "web deployments",
  channel: "channels",
  webhook: "webhooks",
};

export interface ExportedConfiguration {
  id: string;
  name: string;
  /** The latest published version, which the program pins. */
  version: string;
  /** That version's document, as the resource declares it (server-only members left out). */
  document: Record<string, unknown>;
  /** The draft holds edits that are not published: adoption must not publish them. */
  draftAhead: boolean;
}

export interface ExportedDeployment {
  id: string;
  name: string;
  description?: string;
  allowAllDomains: boolean;
  allowedDomains: string[];
  flowId?: string;
  supportedContentId?: string;
  pushIntegrations?: { id: string; provider: string }[];
  configuration: { id: string; version: string };
}

export interface ExportedChannel {
  id: string;
  name: string;
  spec: BrandSpec;
  /**
   * How the provider's endpoint check (run on adoption) judges endpointUrl: "public" passes,
   * "private" passes only with genesys:allowPrivateNetworks, otherwise the reason it refuses it.
   */
  endpoint: "public" | "private" | { refused: string };
}

export interface ExportedWebhook {
  id: string;
  name: string;
  brandId: string;
  callbackUrl: string;
  eventTypes: string[];
  deliveryPolicy: { retryCount: number; retryInterval: number };
  enabled: boolean;
  /** The webhook signs its deliveries: its secret must come from stack config, never from the export. */
  hasSecret: boolean;
}

export interface Skipped {
  kind: Kind;
  name: string;
  id?: string;
  reason: string;
}

export interface Org {
  configurations: ExportedConfiguration[];
  deployments: ExportedDeployment[];
  channels: ExportedChannel[];
  webhooks: ExportedWebhook[];
  /** Objects (or whole kinds, name "*") left out, with why. */
  skipped: Skipped[];
}
