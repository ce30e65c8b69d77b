/**
 * The WebDeploymentConfiguration class a Pulumi program declares, its Args and the Args of its
 * larger parts, all derived from the schema. The fields mirror the API's
 * WebDeploymentConfigurationVersion model (the JS SDK's names and nesting), so a document copied
 * from the API or the SDK's docs reads the same; docs/resources.md maps every attribute of
 * Terraform's genesyscloud_webdeployments_configuration onto them.
 */
import type { z } from "zod";
import type { ArgsOf, InputFields } from "../definition";
import { resourceClass } from "../resource-class";
import { webDeploymentConfiguration } from "./definition";
import type { configurationSchema } from "./schema";

type Declared = NonNullable<z.input<typeof configurationSchema>>;
type Part<K extends keyof Declared> = NonNullable<Declared[K]>;
type Messenger = Part<"messenger">;

/** A Genesys Cloud web deployment configuration: a draft, published as versions 1, 2, 3, ... */
export const WebDeploymentConfiguration = resourceClass(webDeploymentConfiguration);
export type WebDeploymentConfiguration = InstanceType<typeof WebDeploymentConfiguration>;
export type WebDeploymentConfigurationArgs = ArgsOf<typeof webDeploymentConfiguration>;
export type MessengerArgs = InputFields<Messenger>;
export type ConversationsAppArgs = InputFields<NonNullable<NonNullable<Messenger["apps"]>["conversations"]>>;
export type SupportCenterArgs = InputFields<Part<"supportCenter">>;
export type CobrowseArgs = InputFields<Part<"cobrowse">>;
export type JourneyEventsArgs = InputFields<Part<"journeyEvents">>;
export type VideoArgs = InputFields<Part<"video">>;
export type CustomI18nLabelsArgs = InputFields<Part<"customI18nLabels">[number]>;
