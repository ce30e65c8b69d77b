/**
 * What each input means, attached to the validators' own zod fields (zod's global registry, the
 * one `.describe()` writes), so the package schema reads them from the same objects it derives the
 * properties from. They live here until the schemas move to provider/resources/<kind>/ and carry
 * `.describe()` themselves; keys are the schemas' own, so a renamed field fails to compile.
 */
import { z } from "zod";
import { channelInputSchema } from "../validation/schema";
import { configurationSchema } from "../validation/web-deployment-configuration";
import { deploymentSchema } from "../validation/web-deployment";
import { webhookInputSchema } from "../validation/webhook";

function describe<S extends z.ZodRawShape>(shape: S, texts: { [K in keyof S]?: string }): void {
  for (const [key, text] of Object.entries(texts)) {
    const field = shape[key];
    if (field && typeof text === "string") z.globalRegistry.add(field, { ...z.globalRegistry.get(field), description: text });
  }
}

let done = false;

export function describeFields(): void {
  if (done) return;
  done = true;
  describe(channelInputSchema.shape, {
    name: "Unique per org, 1..128 characters.",
    description: "Free text shown in the Genesys Cloud UI, at most 512 characters.",
    endpointUrl: "Where the channel's messages are delivered: an https:// or wss:// URL.",
    allowedOrigins: 'Origins allowed to open a session, such as "https://app.example.com".',
    channelTypes: "webchat and/or webmessaging; a change replaces the channel.",
    settings: "Session limits, throttling and the endpoint's TLS chain.",
    signature: "HMAC-SHA256 of the definition (`npm run sign`); required when the provider's signatureKey is set.",
  });
  const settings = channelInputSchema.shape.settings.shape;
  describe(settings, {
    maxConcurrentSessions: "1..10000 concurrent sessions.",
    rateLimitThreshold: "1..5000 requests per second before the gateway throttles.",
    tlsCertificateChain: "PEM certificates of the endpoint, leaf first (or the lines of one PEM text).",
    healthCheckInterval: "30..3600 seconds between health probes; default 300.",
  });
  describe(webhookInputSchema.shape, {
    name: "Unique webhook name, 1..128 characters.",
    brandId: "The channel whose events are delivered: pass the channel's brandId so the engine orders them.",
    callbackUrl: "Where the load balancer's sync service receives deliveries (https; plain http only to localhost).",
    eventTypes: "Default: webchat.brand.created, webchat.brand.updated and webchat.brand.deleted.",
    deliveryPolicy: "Retries of a failed delivery; default 3 retries, 60 s apart.",
    enabled: "Deliver events (default true).",
  });
  describe(configurationSchema.shape, {
    name: "The configuration's name, unique per org.",
    description: "Free text shown in the Genesys Cloud UI.",
    languages: 'Languages the Messenger offers, such as ["en-us"].',
    defaultLanguage: "One of languages: the Messenger's language when the visitor's is not offered.",
    messenger: "The Messenger's look and apps.",
  });
  describe(deploymentSchema.shape, {
    name: "The deployment's name, unique per org.",
    description: "Free text shown in the Genesys Cloud UI.",
    allowedDomains: 'Domains allowed to load the Messenger: "www.example.com", "*.example.com". Required unless allowAllDomains.',
    allowAllDomains: "true only when allowedDomains is empty or absent.",
    flowId: "The inbound message Architect flow that receives the conversations.",
    configuration: "The published configuration version to serve: { id: the configuration's configurationId, version: its version }.",
    supportedContentId: "Supported content profile (attachment types) by id.",
    pushIntegrations: "Push notification integrations.",
  });
}
