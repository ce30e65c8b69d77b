/**
 * The limits of the contract that the provider's own checks enforce before any API call (schema.ts
 * for channels, the webhook runtime for webhooks). The emulator keeps its own copy, transcribed from
 * the contract, so that it stays an independent oracle; a unit test checks that the two agree.
 */
export const LIMITS = {
  name: { min: 1, max: 128 },
  description: { max: 512 },
  maxConcurrentSessions: { min: 1, max: 10_000 },
  rateLimitThreshold: { min: 1, max: 5_000 },
  healthCheckInterval: { min: 30, max: 3_600, default: 300 },
} as const;

export const CHANNEL_TYPES = ["webchat", "webmessaging"] as const;

export const WEBHOOK_EVENT_TYPES = ["webchat.brand.created", "webchat.brand.updated", "webchat.brand.deleted"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_LIMITS = {
  retryCount: { min: 0, max: 10 },
  retryInterval: { min: 1, max: 3_600 },
} as const;
