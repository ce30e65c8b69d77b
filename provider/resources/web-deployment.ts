import * as pulumi from "@pulumi/pulumi";
import { makeProvider } from "./loader";

export interface WebDeploymentArgs {
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** Domains allowed to load the Messenger (sent as CORS origins): "www.example.com", "*.example.com". Required unless allowAllDomains. */
  allowedDomains?: pulumi.Input<pulumi.Input<string>[]>;
  /** true only when allowedDomains is empty or absent. */
  allowAllDomains?: pulumi.Input<boolean>;
  /** The inbound message Architect flow that receives the conversations. */
  flowId?: pulumi.Input<string>;
  /** The published configuration version to serve: pass `{ id: cfg.configurationId, version: cfg.version }`. */
  configuration: pulumi.Input<{ id: pulumi.Input<string>; version: pulumi.Input<string> }>;
  /** Supported content profile (attachment types) by id. */
  supportedContentId?: pulumi.Input<string>;
  /** Push notification integrations. */
  pushIntegrations?: pulumi.Input<pulumi.Input<{ id: pulumi.Input<string>; provider: pulumi.Input<"APNS" | "FCM"> }>[]>;
  /** Take over an existing deployment by id instead of creating one (pulumi import does not work for dynamic resources). */
  adoptExistingId?: pulumi.Input<string>;
}

const provider = makeProvider("webDeployment");

/** A Genesys Cloud web deployment: serves one published configuration version to the listed domains. */
export class WebDeployment extends pulumi.dynamic.Resource {
  declare readonly deploymentId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  /** Pending, Active, Inactive, Error or Deleting. */
  declare readonly status: pulumi.Output<string>;
  /** The JavaScript loader to paste into the site's pages. */
  declare readonly snippet: pulumi.Output<string>;
  declare readonly configuration: pulumi.Output<{ id: string; version: string }>;

  constructor(name: string, args: WebDeploymentArgs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { ...args, deploymentId: undefined, status: undefined, snippet: undefined }, opts, "genesys", "WebDeployment");
  }
}
