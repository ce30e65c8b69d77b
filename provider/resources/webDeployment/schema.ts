/**
 * A WebDeployment's inputs and their validator, pure and synchronous. Values another resource has
 * not produced yet (the configuration's id and version during a preview) arrive as Pulumi's unknown
 * placeholder and are not judged until they are known.
 */
import { z } from "zod";
import { validateAgainst } from "../../validation/against-schema";
import { issue, type ValidationIssue, type ValidationResult } from "../../validation/issues";
import { UNKNOWN } from "../../validation/unknown";
import { DEPLOYMENT_SERVER_FIELDS, WEB_DEPLOYMENT_ENUMS as E, WEB_DEPLOYMENT_LIMITS as L } from "../../validation/web-deployment-limits";

/** A domain name with an optional leading "*." wildcard label and an optional port. */
const DOMAIN = /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?::\d{1,5})?$/;

const domain = z
  .string()
  .max(L.allowedDomain.max)
  .refine((d) => DOMAIN.test(d), {
    error: 'must be a lower-case domain such as "www.example.com" or "*.example.com" (no scheme, path or spaces)',
  });

export const deploymentSchema = z.strictObject({
  name: z.string().min(L.deploymentName.min).max(L.deploymentName.max).describe("The deployment's name, unique per org."),
  description: z.string().max(L.description.max).optional().describe("Free text shown in the Genesys Cloud UI."),
  allowAllDomains: z.boolean().optional().describe("true only when allowedDomains is empty or absent."),
  allowedDomains: z
    .array(domain)
    .optional()
    .describe('Domains allowed to load the Messenger: "www.example.com", "*.example.com". Required unless allowAllDomains.'),
  flowId: z.string().min(1).optional().describe("The inbound message Architect flow that receives the conversations."),
  configuration: z
    .strictObject({
      id: z.string().min(1).describe("The configuration's configurationId."),
      version: z
        .string()
        .regex(/^[1-9][0-9]*$/, { error: 'must be a published version number such as "1" (pass configuration.version)' })
        .describe('Its published version ("1", "2", ...): the configuration\'s version output.'),
    })
    .describe("The published configuration version to serve: { id: the configuration's configurationId, version: its version }."),
  supportedContentId: z.string().min(1).optional().describe("Supported content profile (attachment types) by id."),
  pushIntegrations: z
    .array(z.strictObject({ id: z.string().min(1).describe("The push integration's id."), provider: z.enum(E.pushProvider) }))
    .optional()
    .describe("Push notification integrations."),
});

export type DeploymentDefinition = z.output<typeof deploymentSchema>;

export function validateDeployment(input: unknown): ValidationResult<DeploymentDefinition> {
  return validateAgainst(deploymentSchema, input, {
    rootName: "a web deployment",
    serverSet: { "": DEPLOYMENT_SERVER_FIELDS },
    rules: crossFieldIssues,
  });
}

function crossFieldIssues(raw: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (typeof raw.name === "string" && raw.name.length > 0 && raw.name.trim() === "") {
    issues.push(issue(["name"], "must not be blank; give the deployment a name people will recognise"));
  }
  const domains = Array.isArray(raw.allowedDomains) ? raw.allowedDomains : [];
  if (raw.allowAllDomains === true && domains.length > 0) {
    issues.push(
      issue(["allowAllDomains"], "cannot be true while allowedDomains lists domains; remove allowedDomains or set allowAllDomains: false"),
    );
  } else if (raw.allowAllDomains !== true && domains.length === 0 && raw.allowedDomains !== UNKNOWN) {
    issues.push(
      issue(
        ["allowedDomains"],
        'must list at least one domain (e.g. ["www.example.com"]) unless allowAllDomains is true; set one of the two',
      ),
    );
  }
  const first = new Map<string, number>();
  domains.forEach((d, i) => {
    if (typeof d !== "string") return;
    const earlier = first.get(d);
    if (earlier === undefined) first.set(d, i);
    else issues.push(issue(["allowedDomains", i], `duplicates allowedDomains[${earlier}] ("${d}"); list each domain once`));
  });
  return issues;
}
