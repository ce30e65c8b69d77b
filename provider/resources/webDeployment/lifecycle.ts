/**
 * WebDeployment lifecycle -> Genesys calls:
 *   check   validate (allowedDomains xor allowAllDomains, configuration {id, version}, push
 *           providers); values other resources have not produced yet are judged once known  no network
 *   diff    compare documents canonically; `status` churn (Pending) is never a change, Error is
 *   create  POST deployments, poll until Active; Error fails at once with the server's reason and
 *           the deployment is deleted again (adoptExistingId instead: GET, PUT when it differs)
 *   read    GET deployments/{id}; 404 or Deleting -> empty id (the engine drops it)
 *   update  PUT deployments/{id} (whole document), poll until Active; Error fails at once
 *   delete  DELETE deployments/{id} (asynchronous: Deleting), poll until 404
 */
import { type CallTrace, GenesysApiError } from "../../genesys";
import { compact, sameDocument } from "../../runtime/compare";
import { type RuntimeContext, audited, auditedCheck, healthRecord } from "../../runtime/context";
import { type Subject, adoptExisting, createOrRecover, describe, differingFields, undoCreate } from "../../runtime/create-or-adopt";
import { splitInputs } from "../../runtime/inputs";
import { pollUntil } from "../../runtime/poll";
import { formatIssues } from "../../validation/issues";
import { hasUnknown } from "../../validation/unknown";
import type { Lifecycle, Props } from "../definition";
import { type Deployment, type DeploymentDocument, deploymentsOf } from "./api";
import { type DeploymentDefinition, validateDeployment } from "./schema";

const DEPLOYMENT_TYPE = "genesys:WebDeployment";

interface DeploymentInputs extends DeploymentDefinition {
  adoptExistingId?: string;
}

interface DeploymentOutputs extends DeploymentInputs {
  deploymentId: string;
  status: string;
  snippet: string;
}

/** The declared definition as the API's WebDeployment document. */
function documentOf(def: DeploymentDefinition): DeploymentDocument {
  return compact({
    name: def.name,
    description: def.description,
    allowAllDomains: def.allowAllDomains ?? false,
    allowedDomains: def.allowedDomains ?? [],
    flow: def.flowId ? { id: def.flowId } : undefined,
    supportedContent: def.supportedContentId ? { id: def.supportedContentId } : undefined,
    pushIntegrations: def.pushIntegrations && def.pushIntegrations.length > 0 ? def.pushIntegrations : undefined,
    configuration: { id: def.configuration.id, version: String(def.configuration.version) },
  });
}

/** A live deployment as a definition, so refresh reports drift field by field. */
function definitionOf(live: Deployment): DeploymentDefinition {
  return compact({
    name: live.name,
    description: live.description,
    allowAllDomains: live.allowAllDomains ?? false,
    allowedDomains: live.allowedDomains ?? [],
    flowId: live.flow?.id,
    supportedContentId: live.supportedContent?.id,
    pushIntegrations:
      live.pushIntegrations && live.pushIntegrations.length > 0
        ? live.pushIntegrations.map((p) => ({ id: p.id, provider: p.provider as "APNS" | "FCM" }))
        : undefined,
    configuration: { id: live.configuration.id, version: String(live.configuration.version) },
  }) as DeploymentDefinition;
}

function outputsOf(live: Deployment, adoptExistingId?: string): DeploymentOutputs {
  return {
    ...definitionOf(live),
    ...(adoptExistingId ? { adoptExistingId } : {}),
    deploymentId: live.id,
    status: live.status ?? "Active",
    snippet: live.snippet ?? "",
  };
}

async function check(ctx: RuntimeContext, _olds: Props, news: Props) {
  const { definition, adoptExistingId } = splitInputs(news);
  const checked = await auditedCheck(ctx, DEPLOYMENT_TYPE, definition, () => validateDeployment(definition));
  if (!checked.ok) return { inputs: news, failures: checked.failures };
  // Unknown values (the configuration's id and version during a preview) must reach the engine as
  // they came; known ones are stored in the shape read returns, so a refresh compares like with like.
  if (hasUnknown(definition)) {
    const passed = Object.fromEntries(Object.entries(news).filter(([k]) => !k.startsWith("__")));
    // The same defaults as the known shape, so a preview shows only what really changes.
    return {
      inputs: { ...passed, allowAllDomains: passed.allowAllDomains ?? false, allowedDomains: passed.allowedDomains ?? [] },
      failures: [],
    };
  }
  const normalised = definitionOf(documentOf(checked.value) as Deployment);
  return { inputs: { ...normalised, ...(adoptExistingId ? { adoptExistingId } : {}) }, failures: [] };
}

/** Pure: the engine's diff without the id and context it does not need. */
export function diffDeployment(olds: Props, news: Props): { changes: boolean; replaces: string[]; diffs: string[] } {
  const diffs: string[] = [];
  // Raw documents, not parsed: a stored state may predate today's schema, and unknowns must show.
  const before = splitInputs(olds).definition;
  const after = splitInputs(news).definition;
  const pairs: [string, unknown, unknown][] = [
    ["name", before.name, after.name],
    ["description", before.description ?? "", after.description ?? ""],
    ["allowAllDomains", before.allowAllDomains ?? false, after.allowAllDomains ?? false],
    ["allowedDomains", before.allowedDomains ?? [], after.allowedDomains ?? []],
    ["flowId", before.flowId, after.flowId],
    ["configuration", before.configuration, after.configuration],
    ["supportedContentId", before.supportedContentId, after.supportedContentId],
    ["pushIntegrations", before.pushIntegrations ?? [], after.pushIntegrations ?? []],
  ];
  for (const [key, a, b] of pairs) if (!sameDocument(a, b) || hasUnknown(b)) diffs.push(key);
  // Pending and Active are both a deployment on its way or working; only Error is drift.
  if (olds.status === "Error") diffs.push("status");
  return { changes: diffs.length > 0, replaces: [], diffs };
}

function requireValid(inputs: Props): { def: DeploymentDefinition; adoptExistingId?: string } {
  const { definition, adoptExistingId } = splitInputs(inputs);
  const result = validateDeployment(definition);
  if (!result.ok) throw new Error(`web deployment "${String(definition.name)}" is invalid:\n${formatIssues(result.issues)}`);
  return { def: result.value, adoptExistingId };
}

/** The server's own words for an Error status, whichever member carries them. */
function errorReasonOf(live: Deployment): string {
  for (const key of ["statusReason", "errorMessage", "reason", "message"]) {
    const value = live[key];
    if (typeof value === "string" && value.trim() !== "") return value;
  }
  const errors = live.errors;
  if (Array.isArray(errors)) {
    const messages = errors.map((e) => (e && typeof e === "object" ? (e as { message?: unknown }).message : e)).filter(Boolean);
    if (messages.length > 0) return messages.map(String).join("; ");
  }
  return "the server gave no reason";
}

class DeploymentErrorStatus extends Error {
  readonly name = "DeploymentErrorStatus";
}

/**
 * Polls until Active. Error is final and fails at once with the server's reason (Genesys's
 * Terraform provider waits out its whole timeout here: its issue 604); a deployment that is still
 * Pending at the deadline fails naming its last status.
 */
async function waitForActive(ctx: RuntimeContext, id: string, trace: CallTrace): Promise<Deployment> {
  let last: Deployment | undefined;
  const recordHealth = healthRecord(ctx, DEPLOYMENT_TYPE, id);
  const record = (outcome: "success" | "failure", error?: string) =>
    recordHealth(outcome, { name: last?.name, status: last?.status }, error);
  try {
    const active = await pollUntil(ctx, async () => {
      last = await deploymentsOf(ctx).get(id, trace);
      if (!last) throw new Error(`web deployment ${id} disappeared while waiting for it to become Active`);
      if (last.status === "Error") {
        throw new DeploymentErrorStatus(
          `web deployment "${last.name}" (${id}) went to status Error: ${errorReasonOf(last)}; ` +
            `fix the flow (flowId) or configuration it names, then run \`pulumi up\` again`,
        );
      }
      return last.status === "Active" ? last : undefined;
    });
    if (!active) {
      throw new Error(
        `web deployment "${last?.name ?? id}" (${id}) did not become Active within ${ctx.config.healthTimeoutSeconds} s ` +
          `(last status: ${last?.status ?? "none"}); raise genesys:healthTimeoutSeconds or retry`,
      );
    }
    await record("success");
    return active;
  } catch (err) {
    await record("failure", describe(err));
    throw err;
  }
}

/** Starts the asynchronous DELETE and waits for the 404 (it passes through Deleting). */
async function deleteAndWait(ctx: RuntimeContext, id: string, trace: CallTrace): Promise<boolean> {
  const existed = await deploymentsOf(ctx).delete(id, trace);
  if (!existed) return false;
  const gone = await pollUntil(ctx, async () => ((await deploymentsOf(ctx).get(id, trace)) ? undefined : true));
  if (!gone) throw new Error(`web deployment ${id} still exists ${ctx.config.healthTimeoutSeconds} s after its DELETE`);
  return true;
}

const subjectOf = (doc: DeploymentDocument): Subject => ({ kind: "web deployment", name: doc.name, adoptable: true });

/** The members in which a live deployment differs from the declared document. */
const differences = (live: Deployment, doc: DeploymentDocument): string[] => differingFields(documentOf(definitionOf(live)), doc);

async function create(ctx: RuntimeContext, inputs: Props): Promise<{ id: string; outs: DeploymentOutputs }> {
  const { def, adoptExistingId } = requireValid(inputs);
  const doc = documentOf(def);
  if (adoptExistingId) return adoptDeployment(ctx, adoptExistingId, doc);
  return audited(
    ctx,
    { action: "create", resourceType: DEPLOYMENT_TYPE, resourceName: doc.name, payload: doc },
    async (trace) => {
      const { live: created } = await createOrRecover(subjectOf(doc), {
        post: async () => {
          const { deployment, recovered } = await deploymentsOf(ctx).create(doc, trace);
          return { created: deployment, recovered };
        },
        idOf: (d) => d.id,
        differences: (d) => differences(d, doc),
      });
      try {
        const active = await waitForActive(ctx, created.id, trace);
        return { id: created.id, outs: outputsOf(active) };
      } catch (err) {
        return undoCreate({ ...subjectOf(doc), id: created.id }, err, () => deleteAndWait(ctx, created.id, trace));
      }
    },
    (r) => ({ targetId: r.id, healthStatus: r.outs.status }),
  );
}

async function adoptDeployment(ctx: RuntimeContext, id: string, doc: DeploymentDocument): Promise<{ id: string; outs: DeploymentOutputs }> {
  return audited(
    ctx,
    { action: "adopt", resourceType: DEPLOYMENT_TYPE, resourceName: doc.name, targetId: id, payload: doc },
    async (trace) => {
      await adoptExisting(
        { kind: "web deployment", id },
        {
          read: () => deploymentsOf(ctx).get(id, trace),
          differs: (live) => differences(live, doc).length > 0,
          write: () => deploymentsOf(ctx).put(id, doc, trace),
        },
      );
      const active = await waitForActive(ctx, id, trace);
      return { id, outs: outputsOf(active, id) };
    },
    (r) => ({ healthStatus: r.outs.status }),
  );
}

async function read(ctx: RuntimeContext, id: string, props: Props): Promise<{ id: string; props?: DeploymentOutputs; inputs?: Props }> {
  const name = typeof props.name === "string" ? props.name : id;
  return audited(
    ctx,
    { action: "read", resourceType: DEPLOYMENT_TYPE, resourceName: name, targetId: id },
    async (trace) => {
      const live = await deploymentsOf(ctx).get(id, trace);
      // A deployment being deleted out of band is as good as gone: the next `up` recreates it.
      if (!live || live.status === "Deleting") return { id: "" };
      const adoptExistingId = typeof props.adoptExistingId === "string" ? props.adoptExistingId : undefined;
      const outs = outputsOf(live, adoptExistingId);
      return { id, props: outs, inputs: { ...definitionOf(live), ...(adoptExistingId ? { adoptExistingId } : {}) } };
    },
    (r) => ({ healthStatus: r.props?.status ?? "gone" }),
  );
}

async function update(ctx: RuntimeContext, id: string, _olds: Props, news: Props): Promise<{ outs: DeploymentOutputs }> {
  const { def, adoptExistingId } = requireValid(news);
  const doc = documentOf(def);
  return audited(
    ctx,
    { action: "update", resourceType: DEPLOYMENT_TYPE, resourceName: doc.name, targetId: id, payload: doc },
    async (trace) => {
      try {
        await deploymentsOf(ctx).put(id, doc, trace);
      } catch (err) {
        if (err instanceof GenesysApiError && err.status === 404) {
          throw new Error(`web deployment ${id} no longer exists; run \`pulumi refresh\`, then \`pulumi up\` recreates it`, { cause: err });
        }
        throw err;
      }
      const active = await waitForActive(ctx, id, trace);
      return { outs: outputsOf(active, adoptExistingId) };
    },
    (r) => ({ healthStatus: r.outs.status }),
  );
}

async function remove(ctx: RuntimeContext, id: string, props: Props): Promise<void> {
  const name = typeof props.name === "string" ? props.name : id;
  await audited(ctx, { action: "delete", resourceType: DEPLOYMENT_TYPE, resourceName: name, targetId: id }, async (trace) => {
    await deleteAndWait(ctx, id, trace);
  });
}

/** The WebDeployment's lifecycle: the dynamic ResourceProvider's methods, given the context. */
export const lifecycle = {
  check,
  diff: (_id: string, olds: Props, news: Props) => diffDeployment(olds, news),
  create,
  read,
  update,
  delete: remove,
} satisfies Lifecycle;
