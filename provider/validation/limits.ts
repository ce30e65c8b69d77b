/**
 * The platform limits of a web messaging channel (brand), from the API contract.
 * One source of truth for the client-side validator and the emulator's server-side checks.
 */
export const LIMITS = {
  name: { min: 1, max: 128 },
  description: { max: 512 },
  maxConcurrentSessions: { min: 1, max: 10_000 },
  rateLimitThreshold: { min: 1, max: 5_000 },
  healthCheckInterval: { min: 30, max: 3_600, default: 300 },
} as const;

export const CHANNEL_TYPES = ["webchat", "webmessaging"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const HEALTH_STATUSES = ["pending", "active", "degraded", "unreachable"] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const WEBHOOK_EVENT_TYPES = ["webchat.brand.created", "webchat.brand.updated", "webchat.brand.deleted"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_LIMITS = {
  retryCount: { min: 0, max: 10 },
  retryInterval: { min: 1, max: 3_600 },
} as const;

/** OAuth scopes, per call family. */
export const SCOPES = {
  brandRead: "webchat:brand:read",
  brandWrite: "webchat:brand:write",
  webhookWrite: "webhooks:webhook:write",
} as const;
export const ALL_SCOPES = Object.values(SCOPES);
