/**
 * The resources the plugin serves: each Pulumi token, the lifecycle it runs (provider/runtime, the
 * same code as the dynamic resources) and the zod schemas its package-schema entry is generated
 * from. Inputs are the validators' own schemas (provider/validation), so what `check` enforces and
 * what the schema declares are one definition; outputs have no validator, so they are declared here.
 */
import { z } from "zod";
import type { ResourceKind } from "../runtime/lifecycles";
import { channelInputSchema } from "../validation/schema";
import { configurationSchema } from "../validation/web-deployment-configuration";
import { deploymentSchema } from "../validation/web-deployment";
import { webhookInputSchema } from "../validation/webhook";
import { describeFields } from "./descriptions";

export const PACKAGE = "genesys";

const adoptExistingId = z
  .string()
  .optional()
  .describe("Take over an existing object by id instead of creating one (`pulumi import` does the same for a whole resource).");

export interface ResourceEntry {
  kind: ResourceKind;
  description: string;
  inputs: z.ZodObject;
  /** Inputs the resource takes beyond the object's definition (they steer the provider). */
  extraInputs: z.ZodRawShape;
  /** What create and read add to the inputs. */
  outputs: z.ZodRawShape;
}

export const RESOURCES = {
  WebMessagingChannel: {
    kind: "channel",
    description: "A Genesys Cloud web messaging channel (brand).",
    inputs: channelInputSchema,
    extraInputs: { adoptExistingId },
    outputs: {
      brandId: z.string().describe("The channel's id in Genesys Cloud (pass it to a LoadBalancerWebhook)."),
      status: z.string().describe("The channel's status as the API reports it."),
      healthStatus: z.string().describe("The last health probe: active, degraded, unreachable or unknown."),
      selfUri: z.string().describe("The channel's API address."),
    },
  },
  LoadBalancerWebhook: {
    kind: "webhook",
    description: "A webhook that keeps an external load balancer's pool in sync with a channel.",
    inputs: webhookInputSchema,
    extraInputs: { adoptExistingId },
    outputs: {
      webhookId: z.string().describe("The webhook's id in Genesys Cloud."),
      signed: z.boolean().describe("Deliveries are signed with the provider's webhookSecret."),
      enrolled: z
        .boolean()
        .describe("The load balancer was sent the followed channel's current state (false when disabled, or stale after a refresh)."),
    },
  },
  WebDeploymentConfiguration: {
    kind: "webDeploymentConfiguration",
    description: "A Genesys Cloud Messenger configuration, published as a new version whenever it changes.",
    inputs: configurationSchema,
    extraInputs: {
      adoptExistingId,
      keepUnpublishedDraft: z
        .boolean()
        .optional()
        .describe(
          "With adoptExistingId: take the configuration over at its latest published version and leave a draft that is ahead of it as it is (reported in unpublishedChanges).",
        ),
    },
    outputs: {
      configurationId: z.string().describe("The configuration's id (pass it to a WebDeployment's configuration.id)."),
      version: z.string().describe('The latest published version ("1", "2", ...): what deployments point at.'),
      status: z.string().describe("Pending, Active or Error."),
      unpublishedChanges: z.boolean().describe("The draft differs from the latest published version (edits left unpublished)."),
    },
  },
  WebDeployment: {
    kind: "webDeployment",
    description: "A Genesys Cloud web deployment: serves one published configuration version to the listed domains.",
    inputs: deploymentSchema,
    extraInputs: { adoptExistingId },
    outputs: {
      deploymentId: z.string().describe("The deployment's id in Genesys Cloud."),
      status: z.string().describe("Pending, Active, Inactive, Error or Deleting."),
      snippet: z.string().describe("The JavaScript loader to paste into the site's pages."),
    },
  },
} satisfies Record<string, ResourceEntry>;

export type ResourceName = keyof typeof RESOURCES;

export function tokenOf(name: ResourceName): string {
  return `${PACKAGE}:index:${name}`;
}

/** A URN's resource type: urn:pulumi:<stack>::<project>::<parent types$>type::<name>. */
export function typeOfUrn(urn: string): string {
  return urn.split("::")[2]?.split("$").pop() ?? "";
}

/** The entry of a type token, or undefined for a type this provider does not serve. */
export function resourceOfType(type: string): { name: ResourceName; entry: ResourceEntry } | undefined {
  const name = Object.keys(RESOURCES).find((n) => tokenOf(n as ResourceName) === type) as ResourceName | undefined;
  return name ? { name, entry: RESOURCES[name] } : undefined;
}

describeFields();
