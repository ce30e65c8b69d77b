/**
 * The WebDeploymentConfiguration resource (see ../definition.ts). Its schema and lifecycle still
 * live in provider/validation and provider/runtime; they move into this folder next.
 */
import { z } from "zod";
import {
  checkConfiguration,
  createConfiguration,
  deleteConfiguration,
  diffConfiguration,
  readConfiguration,
  updateConfiguration,
} from "../../runtime/web-deployment-configuration";
import { configurationSchema } from "../../validation/web-deployment-configuration";
import { adoptExistingId, defineResource } from "../definition";

export const webDeploymentConfiguration = defineResource({
  kind: "webDeploymentConfiguration",
  name: "WebDeploymentConfiguration",
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
  lifecycle: {
    check: (ctx, _olds, news) => checkConfiguration(ctx, news),
    diff: (_id, olds, news) => diffConfiguration(olds, news),
    create: (ctx, inputs) => createConfiguration(ctx, inputs),
    read: (ctx, id, props) => readConfiguration(ctx, id, props),
    update: (ctx, id, _olds, news) => updateConfiguration(ctx, id, news),
    delete: (ctx, id, props) => deleteConfiguration(ctx, id, props),
  },
});
