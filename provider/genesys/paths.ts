/**
 * Every REST path the client speaks, in one place: the source design's contract (brands,
 * webhooks) and Genesys Cloud's real web messaging surface (/api/v2/webdeployments, as the JS
 * SDK's WebDeploymentsApi calls it).
 */
export const PATHS = {
  token: "/oauth/token",
  brands: "/api/v2/webchat/brands",
  brand: (id: string) => `/api/v2/webchat/brands/${encodeURIComponent(id)}`,
  webhooks: "/api/v2/webhooks/webhooks",
  webhook: (id: string) => `/api/v2/webhooks/webhooks/${encodeURIComponent(id)}`,
  configurations: "/api/v2/webdeployments/configurations",
  configuration: (id: string) => `/api/v2/webdeployments/configurations/${encodeURIComponent(id)}`,
  configurationVersions: (id: string) => `/api/v2/webdeployments/configurations/${encodeURIComponent(id)}/versions`,
  configurationVersion: (id: string, version: string) =>
    `/api/v2/webdeployments/configurations/${encodeURIComponent(id)}/versions/${encodeURIComponent(version)}`,
  configurationDraft: (id: string) => `/api/v2/webdeployments/configurations/${encodeURIComponent(id)}/versions/draft`,
  configurationPublish: (id: string) => `/api/v2/webdeployments/configurations/${encodeURIComponent(id)}/versions/draft/publish`,
  deployments: "/api/v2/webdeployments/deployments",
  deployment: (id: string) => `/api/v2/webdeployments/deployments/${encodeURIComponent(id)}`,
} as const;
