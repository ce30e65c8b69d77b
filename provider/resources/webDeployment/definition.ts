/** The WebDeployment resource: its names, schemas and lifecycle (see ../definition.ts). */
import { z } from "zod";
import { adoptExistingId, defineResource } from "../definition";
import { lifecycle } from "./lifecycle";
import { deploymentSchema } from "./schema";

export const webDeployment = defineResource({
  kind: "webDeployment",
  name: "WebDeployment",
  description: "A Genesys Cloud web deployment: serves one published configuration version to the listed domains.",
  inputs: deploymentSchema,
  extraInputs: { adoptExistingId },
  outputs: {
    deploymentId: z.string().describe("The deployment's id in Genesys Cloud."),
    status: z.string().describe("Pending, Active, Inactive, Error or Deleting."),
    snippet: z.string().describe("The JavaScript loader to paste into the site's pages."),
  },
  lifecycle,
});
