/** The WebDeploymentConfiguration resource: its names, schemas and lifecycle (see ../definition.ts). */
import { z } from "zod";
import { lifecycle } from "./lifecycle";
import { configurationSchema } from "./schema";
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
  lifecycle,
});
