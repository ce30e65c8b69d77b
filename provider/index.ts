/** Public surface of the provider library that stacks import. */
export { WebMessagingChannel, type WebMessagingChannelArgs, type WebMessagingChannelSettingsArgs } from "./resources/web-messaging-channel";
export { LoadBalancerWebhook, type LoadBalancerWebhookArgs } from "./resources/load-balancer-webhook";
