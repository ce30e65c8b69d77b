/** Public surface of the provider library that stacks import. */
export { WebMessagingChannel, type WebMessagingChannelArgs, type WebMessagingChannelSettingsArgs } from "./resources/web-messaging-channel";
export { LoadBalancerWebhook, type LoadBalancerWebhookArgs } from "./resources/load-balancer-webhook";
export {
  WebDeploymentConfiguration,
  type WebDeploymentConfigurationArgs,
  type MessengerArgs,
  type ConversationsAppArgs,
  type SupportCenterArgs,
  type CobrowseArgs,
  type JourneyEventsArgs,
  type VideoArgs,
  type CustomI18nLabelsArgs,
} from "./resources/web-deployment-configuration";
export { WebDeployment, type WebDeploymentArgs } from "./resources/web-deployment";
