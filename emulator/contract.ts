/**
 * The contract the emulator serves, transcribed as literal values from `docs/api-contract.md`.
 * The emulator stands in for Genesys Cloud, so it must be an independent oracle: nothing here comes from
 * `provider/`, and a provider that drifts from the contract meets a server that refuses it (one test,
 * test/unit/contract-agreement.test.ts, checks that the two still agree). Where the contract is silent the
 * emulator's own choice is marked as such, with where it comes from.
 */

/** A brand's writable limits ("Brands: the web messaging channel"). */
export const BRAND_LIMITS = {
  name: { min: 1, max: 128 },
  description: { max: 512 },
  maxConcurrentSessions: { min: 1, max: 10_000 },
  rateLimitThreshold: { min: 1, max: 5_000 },
  healthCheckInterval: { min: 30, max: 3_600 },
} as const;

/** Not in the contract: the value of the source design's example channel, used when a body leaves it out. */
export const DEFAULT_HEALTH_CHECK_INTERVAL = 300;

export const CHANNEL_TYPES = ["webchat", "webmessaging"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const HEALTH_STATUSES = ["pending", "active", "degraded", "unreachable"] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export const WEBHOOK_EVENT_TYPES = ["webchat.brand.created", "webchat.brand.updated", "webchat.brand.deleted"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_LIMITS = {
  retryCount: { min: 0, max: 10 },
  /** The contract says only "seconds": at least one, and at most an hour, is the emulator's choice. */
  retryInterval: { min: 1, max: 3_600 },
  /** Not in the contract (the secret is write-only): a bound so that a body cannot carry megabytes of it. */
  secretMaxLength: 1_024,
} as const;

/** Not in the contract: the delivery policy of the source design's webhook, used when a body leaves it out. */
export const DEFAULT_DELIVERY_POLICY = { retryCount: 3, retryInterval: 60 } as const;

/** OAuth scopes, per call family ("OAuth 2.0 client credentials"). */
export const SCOPES = {
  brandRead: "webchat:brand:read",
  brandWrite: "webchat:brand:write",
  webhookWrite: "webhooks:webhook:write",
} as const;
export const ALL_SCOPES: readonly string[] = Object.values(SCOPES);

/** "The default limit is 300 requests per minute per token." */
export const DEFAULT_RATE_LIMIT = { requests: 300, perSeconds: 60 } as const;

/** Not in the contract, which gives the range (300 to 172800 s): Genesys's default OAuth client lifetime. */
export const DEFAULT_TOKEN_TTL_SECONDS = 86_400;
