/**
 * A TypeScript program on the provider plugin's generated Node.js SDK (sdk/nodejs), not on the
 * dynamic resources: a channel, its load balancer webhook, a Messenger configuration and a web
 * deployment, through the default provider, which reads the `genesys:*` stack config (apiUrl,
 * clientId, clientSecret, webhookSecret, ...) as the dynamic resources do.
 *
 * Project config: `callbackUrl`, where the load balancer's sync service receives deliveries.
 */
import * as genesys from "@genesys-webmessaging/pulumi-genesys";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();

const channel = new genesys.WebMessagingChannel("channel", {
  name: "Node SDK web chat",
  endpointUrl: "wss://localhost:9443/node",
  allowedOrigins: ["https://node.example.com"],
  channelTypes: ["webmessaging"],
  settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50 },
});

new genesys.LoadBalancerWebhook("webhook", {
  name: "Node SDK load balancer",
  brandId: channel.brandId,
  callbackUrl: config.require("callbackUrl"),
});

const messenger = new genesys.WebDeploymentConfiguration("messenger", {
  name: "Node SDK Messenger",
  languages: ["en-us"],
  defaultLanguage: "en-us",
  messenger: { enabled: true, styles: { primaryColor: "#112233" }, launcherButton: { visibility: "On" } },
});

const site = new genesys.WebDeployment("site", {
  name: "Node SDK site",
  allowedDomains: ["node.example.com"],
  configuration: { id: messenger.configurationId, version: messenger.version },
});

export const brandId = channel.brandId;
export const deploymentId = site.deploymentId;
