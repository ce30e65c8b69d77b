/** The LoadBalancerWebhook class a Pulumi program declares, and its Args. */
import type { ArgsOf } from "../definition";
import { resourceClass } from "../resource-class";
import { webhook } from "./definition";

/** A webhook that keeps an external load balancer's pool in sync with a channel. */
export const LoadBalancerWebhook = resourceClass(webhook);
export type LoadBalancerWebhook = InstanceType<typeof LoadBalancerWebhook>;
export type LoadBalancerWebhookArgs = ArgsOf<typeof webhook>;
