/** Public surface of the provider library that stacks import (`@public`: used by consumers, see knip.jsonc). */
/** @public */
export { WebMessagingChannel, type WebMessagingChannelArgs, type WebMessagingChannelSettingsArgs } from "./resources/channel";
/** @public */
export { LoadBalancerWebhook, type LoadBalancerWebhookArgs } from "./resources/webhook";
/** @public */
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
} from "./resources/webDeploymentConfiguration";
/** @public */
export { WebDeployment, type WebDeploymentArgs } from "./resources/webDeployment";
