/**
 * Every REST path the client speaks, in one place. These are the paths of the project's API
 * contract (the source design's), not Genesys's public /api/v2/webdeployments surface; a second
 * mapping for that surface belongs here and nowhere else.
 */
export const PATHS = {
  token: "/oauth/token",
  brands: "/api/v2/webchat/brands",
  brand: (id: string) => `/api/v2/webchat/brands/${encodeURIComponent(id)}`,
  webhooks: "/api/v2/webhooks/webhooks",
  webhook: (id: string) => `/api/v2/webhooks/webhooks/${encodeURIComponent(id)}`,
} as const;
