/**
 * The validator of a WebDeployment, pure and synchronous like the configuration's. Values another
 * resource has not produced yet (the configuration's id and version during a preview) arrive as
 * Pulumi's unknown placeholder and are not judged until they are known.
 */
import { z } from "zod";
import { issue, type ValidationIssue } from "./issues";
import { valueAt } from "./schema";
import { DEPLOYMENT_SERVER_FIELDS, WEB_DEPLOYMENT_ENUMS as E, WEB_DEPLOYMENT_LIMITS as L } from "./web-deployment-limits";
import { translateIssues } from "./zod-issues";

/** What the engine sends a dynamic provider for a value that is not known yet. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A domain name with an optional leading "*." wildcard label and an optional port. */
const DOMAIN = /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?::\d{1,5})?$/;

const domain = z
  .string()
  .max(L.allowedDomain.max)
  .refine((d) => DOMAIN.test(d), {
    error: 'must be a lower-case domain such as "www.example.com" or "*.example.com" (no scheme, path or spaces)',
  });

export const deploymentSchema = z.strictObject({
  name: z.string().min(L.deploymentName.min).max(L.deploymentName.max),
  description: z.string().max(L.description.max).optional(),
  allowAllDomains: z.boolean().optional(),
  allowedDomains: z.array(domain).optional(),
  flowId: z.string().min(1).optional(),
  configuration: z.strictObject({
    id: z.string().min(1),
    version: z.string().regex(/^[1-9][0-9]*$/, { error: 'must be a published version number such as "1" (pass configuration.version)' }),
  }),
  supportedContentId: z.string().min(1).optional(),
  pushIntegrations: z.array(z.strictObject({ id: z.string().min(1), provider: z.enum(E.pushProvider) })).optional(),
});

export type DeploymentDefinition = z.output<typeof deploymentSchema>;

export type DeploymentResult = { ok: true; value: DeploymentDefinition } | { ok: false; issues: ValidationIssue[] };

export function validateDeployment(input: unknown): DeploymentResult {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return { ok: false, issues: [issue([], "must be an object describing one web deployment")] };
  }
  const raw = input as Record<string, unknown>;
  const parsed = deploymentSchema.safeParse(raw);
  const issues = parsed.success
    ? []
    : translateIssues(deploymentSchema, parsed.error.issues, raw, {
        rootName: "a web deployment",
        serverSet: { "": DEPLOYMENT_SERVER_FIELDS },
      }).filter((i) => !isUnknownAt(raw, i.path));
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
  if (issues.length > 0) return { ok: false, issues };
  if (!parsed.success) return { ok: true, value: raw as DeploymentDefinition }; // only unknowns failed: judged once known
  return { ok: true, value: parsed.data };
}

/** True when the issue's field (or an object holding it) is a value the engine does not know yet. */
export function isUnknownAt(root: Record<string, unknown>, path: string): boolean {
  const segments = path
    .replace(/\[(\d+)\]/g, ".$1")
    .split(".")
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  for (let n = 0; n <= segments.length; n++) {
    if (valueAt(root, segments.slice(0, n)) === UNKNOWN) return true;
  }
  return false;
}
