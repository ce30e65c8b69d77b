/**
 * The dev stack's web messaging channels, declared as data. Each entry becomes one
 * WebMessagingChannel; edit, add or remove entries and run `pulumi up`.
 * The endpoints are on localhost because the dev stack runs against the embedded emulator with
 * no network; a real stack declares its public https/wss endpoints here.
 */
import type { ChannelDeclaration } from "./program";

export const channels: ChannelDeclaration[] = [
  {
    resourceName: "support",
    name: "Customer Support",
    description: "Web messaging for the customer support site",
    endpointUrl: "wss://localhost:9443/support",
    allowedOrigins: ["https://support.example.com", "https://www.example.com"],
    channelTypes: ["webmessaging"],
    settings: { maxConcurrentSessions: 8000, rateLimitThreshold: 3000, healthCheckInterval: 300 },
  },
  {
    resourceName: "sales",
    name: "Sales Chat",
    description: "Pre-sales chat on the product pages",
    endpointUrl: "https://localhost:9443/sales",
    allowedOrigins: ["https://shop.example.com"],
    channelTypes: ["webchat", "webmessaging"],
    settings: { maxConcurrentSessions: 2000, rateLimitThreshold: 1000, healthCheckInterval: 120 },
  },
  {
    resourceName: "partners",
    name: "Partner Portal",
    endpointUrl: "wss://localhost:9443/partners",
    allowedOrigins: ["https://partners.example.com"],
    channelTypes: ["webchat"],
    settings: { maxConcurrentSessions: 500, rateLimitThreshold: 200 },
  },
];
