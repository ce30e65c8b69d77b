import * as pulumi from "@pulumi/pulumi";
import { makeProvider } from "./loader";

export interface WebMessagingChannelSettingsArgs {
  /** 1..10000 concurrent sessions. */
  maxConcurrentSessions: pulumi.Input<number>;
  /** 1..5000 requests per second before the gateway throttles. */
  rateLimitThreshold: pulumi.Input<number>;
  /** PEM certificates of the endpoint, leaf first (or the PEM-lines form). */
  tlsCertificateChain?: pulumi.Input<pulumi.Input<string>[]>;
  /** 30..3600 seconds; default 300. */
  healthCheckInterval?: pulumi.Input<number>;
}

export interface WebMessagingChannelArgs {
  /** Unique per org, 1..128 characters. */
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** https:// or wss:// */
  endpointUrl: pulumi.Input<string>;
  allowedOrigins: pulumi.Input<pulumi.Input<string>[]>;
  /** webchat and/or webmessaging; a change replaces the channel. */
  channelTypes: pulumi.Input<pulumi.Input<"webchat" | "webmessaging">[]>;
  settings: pulumi.Input<WebMessagingChannelSettingsArgs>;
  /** HMAC-SHA256 of the definition; required when genesys:signatureKey is set. */
  signature?: pulumi.Input<string>;
  /** Take over an existing channel by id instead of creating one (pulumi import does not work for dynamic resources). */
  adoptExistingId?: pulumi.Input<string>;
}

const provider = makeProvider("channel");

/** A Genesys Cloud web messaging channel (brand). */
export class WebMessagingChannel extends pulumi.dynamic.Resource {
  declare readonly brandId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly endpointUrl: pulumi.Output<string>;
  declare readonly allowedOrigins: pulumi.Output<string[]>;
  declare readonly channelTypes: pulumi.Output<string[]>;
  declare readonly status: pulumi.Output<string>;
  declare readonly healthStatus: pulumi.Output<string>;
  declare readonly selfUri: pulumi.Output<string>;

  constructor(name: string, args: WebMessagingChannelArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, brandId: undefined, status: undefined, healthStatus: undefined, selfUri: undefined },
      opts,
      "genesys",
      "WebMessagingChannel",
    );
  }
}
