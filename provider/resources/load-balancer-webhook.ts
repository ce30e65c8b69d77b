import * as pulumi from "@pulumi/pulumi";
import { makeProvider } from "./loader";

export interface LoadBalancerWebhookArgs {
  /** Unique webhook name. */
  name: pulumi.Input<string>;
  /** The channel whose events are delivered: pass `channel.brandId` so the engine orders them. */
  brandId: pulumi.Input<string>;
  /** Where the load balancer's sync service receives deliveries (https; plain http only to this machine: localhost, 127.0.0.0/8, [::1]). */
  callbackUrl: pulumi.Input<string>;
  /** Default: created, updated and deleted. */
  eventTypes?: pulumi.Input<pulumi.Input<"webchat.brand.created" | "webchat.brand.updated" | "webchat.brand.deleted">[]>;
  /** Default: 3 retries, 60 s apart. */
  deliveryPolicy?: pulumi.Input<{ retryCount?: pulumi.Input<number>; retryInterval?: pulumi.Input<number> }>;
  enabled?: pulumi.Input<boolean>;
  /**
   * Take over an existing webhook by id instead of creating one (pulumi import does not work for dynamic
   * resources): written only where it differs from these inputs, and its load balancer is sent an
   * enrolment only after such a write. Its secret cannot be read back, so it is never compared.
   */
  adoptExistingId?: pulumi.Input<string>;
}

const provider = makeProvider("webhook");

/** A webhook that keeps an external load balancer's pool in sync with a channel. */
export class LoadBalancerWebhook extends pulumi.dynamic.Resource {
  declare readonly webhookId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly brandId: pulumi.Output<string>;
  declare readonly callbackUrl: pulumi.Output<string>;
  declare readonly signed: pulumi.Output<boolean>;
  /** The load balancer was sent the followed channel's current state (false when disabled, or stale after a refresh). */
  declare readonly enrolled: pulumi.Output<boolean>;

  constructor(name: string, args: LoadBalancerWebhookArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, webhookId: undefined, signed: undefined, enrolled: undefined },
      opts,
      "genesys",
      "LoadBalancerWebhook",
    );
  }
}
