import { BrandsApi } from "../resources/channel/api";
import { WebhooksApi } from "../resources/webhook/api";
import { resolveEndpoints } from "./hosts";
import type { RetryPolicy } from "./retry";
import { Transport, type TransportOptions } from "./transport";

export { GenesysApiError } from "./errors";
export type { Brand, BrandSpec } from "../resources/channel/api";
export type { Webhook } from "../resources/webhook/api";
export { type CallTrace, newTrace } from "./call";
export { orgListings } from "./listing";
export type { RetryPolicy } from "./retry";

export interface GenesysClientOptions {
  clientId: string;
  clientSecret: string;
  region?: string;
  apiUrl?: string;
  authUrl?: string;
  policy?: Partial<RetryPolicy>;
  maxRequestsPerSecond?: number;
  coordinationUrl?: string;
  orgMaxRequestsPerSecond?: number;
  rateWindowSeconds?: number;
  tokenPoolSize?: number;
  sleep?: TransportOptions["sleep"];
}

export interface GenesysClient {
  brands: BrandsApi;
  webhooks: WebhooksApi;
  transport: Transport;
}

export function createGenesysClient(opts: GenesysClientOptions): GenesysClient {
  const endpoints = resolveEndpoints(opts);
  const transport = new Transport({
    ...endpoints,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    policy: opts.policy,
    sleep: opts.sleep,
    maxRequestsPerSecond: opts.maxRequestsPerSecond,
    settingOf: {
      apiUrl: opts.apiUrl ? "genesys:apiUrl" : "genesys:region",
      authUrl: opts.authUrl ? "genesys:authUrl" : opts.apiUrl ? "genesys:apiUrl" : "genesys:region",
    },
    coordinationUrl: opts.coordinationUrl,
    orgMaxRequestsPerSecond: opts.orgMaxRequestsPerSecond,
    rateWindowSeconds: opts.rateWindowSeconds,
    tokenPoolSize: opts.tokenPoolSize,
  });
  return {
    transport,
    brands: new BrandsApi(transport),
    webhooks: new WebhooksApi(transport),
  };
}
