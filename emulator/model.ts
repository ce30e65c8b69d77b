import type { ChannelType, HealthStatus, WebhookEventType } from "./contract";

interface BrandSettings {
  maxConcurrentSessions: number;
  rateLimitThreshold: number;
  tlsCertificateChain: string[];
  healthCheckInterval: number;
  healthStatus: HealthStatus;
  lastHealthCheck?: string;
}

export interface Brand {
  id: string;
  name: string;
  description?: string;
  endpointUrl: string;
  allowedOrigins: string[];
  channelTypes: ChannelType[];
  settings: BrandSettings;
  status: "active";
  version: number;
  dateCreated: string;
  dateModified: string;
  selfUri: string;
}

/** What a client may write; the server owns everything else. */
export interface BrandInput {
  name: string;
  description?: string;
  endpointUrl: string;
  allowedOrigins: string[];
  channelTypes: ChannelType[];
  settings: {
    maxConcurrentSessions: number;
    rateLimitThreshold: number;
    tlsCertificateChain: string[];
    healthCheckInterval: number;
  };
}

export interface EventFilter {
  eventType: WebhookEventType;
  brandId?: string;
}

/** What a client defines of a webhook. */
interface WebhookDefinition {
  name: string;
  uri: string;
  eventFilters: EventFilter[];
  type: "rest";
  enabled: boolean;
  deliveryPolicy: { retryCount: number; retryInterval: number };
}

export interface Webhook extends WebhookDefinition {
  id: string;
  /** The secret itself is write-only; clients only learn whether one is set. */
  hasSecret: boolean;
  dateCreated: string;
  dateModified: string;
  selfUri: string;
}

export interface WebhookInput extends WebhookDefinition {
  /** undefined: keep the stored secret (PUT) / none (POST); null: remove it. */
  secret?: string | null;
}

export interface TokenRecord {
  hash: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
}

export interface DeliveryAttempt {
  /** The delivery id, shared by every attempt of one delivery. */
  id: string;
  webhookId: string;
  eventType: WebhookEventType;
  brandId: string;
  attempt: number;
  status?: number;
  error?: string;
  time: string;
  durationMs: number;
}
