/**
 * WebDeploymentConfiguration lifecycle -> Genesys calls:
 *   check   validate the document (schema, enums, colours, selectors, languages)         no network
 *   diff    compare documents canonically; unpublished draft edits found by read are a change
 *   create  POST configurations (the draft), wait until the draft is Active, publish (a 400 is
 *           retried for 30 s), output `version`; on failure the configuration is deleted again
 *           (adoptExistingId instead: GET draft, PUT when it differs, publish when unpublished;
 *           with keepUnpublishedDraft: GET only, the declaration must equal the latest published
 *           version, and a draft ahead of it is left as it is and reported)
 *   read    GET versions/draft + the latest published version: the draft is the live document,
 *           so edits left unpublished in the Genesys UI are drift (keepUnpublishedDraft: the
 *           published version is the live document, the draft is only reported); 404 -> empty id
 *   update  PUT versions/draft, publish -> version N+1 (dependent deployments follow it)
 *   delete  DELETE configurations/{id} (every version), poll until 404
 */
import { type CallTrace, GenesysApiError } from "../../genesys";
import { compact, projectOnto, sameDocument } from "../../runtime/compare";
import { type RuntimeContext, audited, auditedCheck } from "../../runtime/context";
import { type Subject, adoptExisting, createOrRecover, differingFields, undoCreate } from "../../runtime/create-or-adopt";
import { splitInputs } from "../../runtime/inputs";
import { pollUntil } from "../../runtime/poll";
import { formatIssues } from "../../validation/issues";
import { WEB_DEPLOYMENT_LIMITS } from "../../validation/web-deployment-limits";
import type { Lifecycle, Props } from "../definition";
import { type ConfigurationDocument, type ConfigurationVersion, configurationsOf } from "./api";
import { type ConfigurationDefinition, configurationSchema, validateConfiguration } from "./schema";

const CONFIGURATION_TYPE = "genesys:WebDeploymentConfiguration";

interface ConfigurationInputs extends ConfigurationDefinition {
  adoptExistingId?: string;
  keepUnpublishedDraft?: boolean;
}

interface ConfigurationOutputs extends ConfigurationInputs {
  configurationId: string;
  /** The latest published version ("1", "2", ...): what deployments point at. */
  version: string;
  status: string;
  /** True when the draft differs from the latest published version (edits left unpublished). */
  unpublishedChanges: boolean;
}

/** Inputs that steer the provider, apart from the document: adoptExistingId and keepUnpublishedDraft. */
interface Steering {
  adoptExistingId?: string;
  keepUnpublishedDraft?: boolean;
}

function steeringOf(raw: Props): { definition: Props } & Steering {
  const { keepUnpublishedDraft, ...rest } = raw;
  const { definition, adoptExistingId } = splitInputs(rest);
  return { definition, adoptExistingId, ...(keepUnpublishedDraft === true ? { keepUnpublishedDraft: true } : {}) };
}

const steeringInputs = (s: Steering): Steering => ({
  ...(s.adoptExistingId ? { adoptExistingId: s.adoptExistingId } : {}),
  ...(s.keepUnpublishedDraft ? { keepUnpublishedDraft: true } : {}),
});

/** The document the API stores, in the declared schema's shape. */
function documentOf(value: unknown): ConfigurationDocument {
  return projectOnto(configurationSchema, value) as ConfigurationDocument;
}

async function check(ctx: RuntimeContext, _olds: Props, news: Props) {
  const { definition, ...steering } = steeringOf(news);
  if (news.keepUnpublishedDraft !== undefined && typeof news.keepUnpublishedDraft !== "boolean") {
    return {
      inputs: news,
      failures: [{ property: "keepUnpublishedDraft", reason: "keepUnpublishedDraft must be true or false (or left out)" }],
    };
  }
  const checked = await auditedCheck(ctx, CONFIGURATION_TYPE, definition, () => validateConfiguration(definition));
  if (!checked.ok) return { inputs: news, failures: checked.failures };
  return { inputs: { ...checked.value, ...steeringInputs(steering) }, failures: [] };
}

/** Pure: the engine's diff without the id it does not need. */
export function diffConfiguration(olds: Props, news: Props): { changes: boolean; replaces: string[]; diffs: string[] } {
  const before: Props = documentOf(steeringOf(olds).definition);
  const after: Props = documentOf(steeringOf(news).definition);
  const diffs = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !sameDocument(before[k], after[k])).sort();
  // The declared state is "published": a draft that read found ahead of its published version
  // (edited in the UI, or left behind by a publish that failed) is re-applied and published,
  // unless the declaration keeps such a draft (an org adopted while someone edits in the UI).
  if (olds.unpublishedChanges === true && news.keepUnpublishedDraft !== true) diffs.push("unpublishedChanges");
  return { changes: diffs.length > 0, replaces: [], diffs };
}

function requireValid(inputs: Props): { doc: ConfigurationDocument; steering: Steering } {
  const { definition, ...steering } = steeringOf(inputs);
  const result = validateConfiguration(definition);
  if (!result.ok) throw new Error(`web deployment configuration "${String(definition.name)}" is invalid:\n${formatIssues(result.issues)}`);
  return { doc: documentOf(result.value), steering };
}

function outputsOf(
  doc: ConfigurationDocument,
  live: { id: string; version: string; status?: string; unpublishedChanges: boolean },
  steering: Steering = {},
): ConfigurationOutputs {
  return {
    ...doc,
    ...steeringInputs(steering),
    configurationId: live.id,
    version: live.version,
    status: live.status ?? "Active",
    unpublishedChanges: live.unpublishedChanges,
  };
}

/** A draft that went Error can never be published: say so with whatever the server said. */
function statusFailure(draft: ConfigurationVersion): string {
  const reason = (draft as { statusReason?: unknown }).statusReason;
  return `web deployment configuration "${draft.name}" (${draft.id}) is in status Error${typeof reason === "string" && reason ? `: ${reason}` : ""}`;
}

/** Waits until the draft is Active; Error fails at once, a timeout names the last status. */
async function waitForActiveDraft(ctx: RuntimeContext, id: string, trace: CallTrace): Promise<ConfigurationVersion> {
  let last: ConfigurationVersion | undefined;
  const active = await pollUntil(ctx, async () => {
    last = await configurationsOf(ctx).draft(id, trace);
    if (!last) throw new Error(`web deployment configuration ${id} disappeared while waiting for it to become Active`);
    if (last.status === "Error") throw new Error(statusFailure(last));
    return last.status === undefined || last.status === "Active" ? last : undefined;
  });
  if (!active) {
    throw new Error(
      `web deployment configuration ${id} did not become Active within ${ctx.config.healthTimeoutSeconds} s ` +
        `(last status: ${last?.status ?? "none"}); raise genesys:healthTimeoutSeconds or retry`,
    );
  }
  return active;
}

/**
 * Publishes the draft. Genesys answers 400 for a short while after a draft change (its Terraform
 * provider retries 400 around publish for 30 s): retried within that window, anything else is
 * final. A publish whose answer was lost may have happened: the latest version is checked before
 * publishing again, so a lost answer never makes two versions.
 */
async function publishWithRetry(ctx: RuntimeContext, id: string, doc: ConfigurationDocument, trace: CallTrace): Promise<string> {
  const windowSeconds = ctx.config.publishRetrySeconds ?? WEB_DEPLOYMENT_LIMITS.publishRetrySeconds;
  const deadline = Date.now() + windowSeconds * 1000;
  const configurations = configurationsOf(ctx);
  for (;;) {
    try {
      const published = await configurations.publish(id, trace);
      if (published.version && /^\d+$/.test(published.version)) return published.version;
      const latest = await configurations.latestPublished(id, trace);
      if (!latest) throw new Error(`publishing web deployment configuration ${id} returned no version`);
      return latest;
    } catch (err) {
      const inWindow = Date.now() + ctx.config.healthPollIntervalMs < deadline;
      if (err instanceof GenesysApiError && err.details.outcomeUnknown) {
        const latest = await configurations.latestPublished(id, trace);
        const version = latest ? await configurations.version(id, latest, trace) : undefined;
        if (latest && version && sameDocument(documentOf(version), doc)) return latest;
        if (!inWindow) throw err;
        continue;
      }
      if (!(err instanceof GenesysApiError && err.status === 400 && inWindow)) throw err;
      await ctx.sleep(ctx.config.healthPollIntervalMs);
    }
  }
}

/** Deletes and waits for the 404, so a name is free again and nothing lingers. */
async function deleteAndWait(ctx: RuntimeContext, id: string, trace: CallTrace): Promise<boolean> {
  const existed = await configurationsOf(ctx).delete(id, trace);
  if (!existed) return false;
  const gone = await pollUntil(ctx, async () => ((await configurationsOf(ctx).draft(id, trace)) ? undefined : true));
  if (!gone) throw new Error(`web deployment configuration ${id} still exists ${ctx.config.healthTimeoutSeconds} s after its DELETE`);
  return true;
}

const subjectOf = (doc: ConfigurationDocument): Subject => ({ kind: "web deployment configuration", name: doc.name, adoptable: true });

/** The members in which a stored document differs from the declared one. */
const differences = (live: ConfigurationVersion | undefined, doc: ConfigurationDocument): string[] =>
  live ? differingFields(compact(documentOf(live)), compact(doc)) : ["(it has no draft)"];

async function create(ctx: RuntimeContext, inputs: Props): Promise<{ id: string; outs: ConfigurationOutputs }> {
  const { doc, steering } = requireValid(inputs);
  if (steering.adoptExistingId) return adopt(ctx, steering.adoptExistingId, doc, steering.keepUnpublishedDraft === true);
  return audited(
    ctx,
    { action: "create", resourceType: CONFIGURATION_TYPE, resourceName: doc.name, payload: doc },
    async (trace) => {
      const configurations = configurationsOf(ctx);
      // A lost create found by name is ours when its draft is this very document.
      const { live: made } = await createOrRecover(subjectOf(doc), {
        post: async () => {
          const { configuration, recovered } = await configurations.create(doc, trace);
          return { created: configuration, recovered };
        },
        idOf: (c) => c.id,
        differences: async (c) => differences(await configurations.draft(c.id, trace), doc),
      });
      try {
        const active = await waitForActiveDraft(ctx, made.id, trace);
        const version = await publishWithRetry(ctx, made.id, doc, trace);
        return {
          id: made.id,
          outs: outputsOf(doc, { id: made.id, version, status: active.status, unpublishedChanges: false }, steering),
        };
      } catch (err) {
        // A configuration that never got a published version is of no use to any deployment.
        return undoCreate({ ...subjectOf(doc), id: made.id }, err, () => deleteAndWait(ctx, made.id, trace));
      }
    },
    (r) => ({ targetId: r.id }),
  );
}

type Adoption = (
  ctx: RuntimeContext,
  id: string,
  doc: ConfigurationDocument,
  trace: CallTrace,
) => Promise<{ id: string; outs: ConfigurationOutputs }>;

/** Takes an existing configuration over (adoptExistingId), one audited operation either way. */
function adopt(
  ctx: RuntimeContext,
  id: string,
  doc: ConfigurationDocument,
  keepUnpublishedDraft: boolean,
): Promise<{ id: string; outs: ConfigurationOutputs }> {
  return audited(ctx, { action: "adopt", resourceType: CONFIGURATION_TYPE, resourceName: doc.name, targetId: id, payload: doc }, (trace) =>
    keepUnpublishedDraft ? adoptPublished(ctx, id, doc, trace) : adoptDraft(ctx, id, doc, trace),
  );
}

/** Writes the declaration into the draft where it differs, and publishes it unless already published. */
const adoptDraft: Adoption = async (ctx, id, doc, trace) => {
  const configurations = configurationsOf(ctx);
  const { live: draft } = await adoptExisting(
    { kind: "web deployment configuration", id },
    {
      read: () => configurations.draft(id, trace),
      differs: (live) => differences(live, doc).length > 0,
      write: () => configurations.putDraft(id, doc, trace),
    },
  );
  const latest = await configurations.latestPublished(id, trace);
  const published = latest ? await configurations.version(id, latest, trace) : undefined;
  let version = latest ?? "";
  if (!published || !sameDocument(documentOf(published), doc)) {
    await waitForActiveDraft(ctx, id, trace);
    version = await publishWithRetry(ctx, id, doc, trace);
  }
  return { id, outs: outputsOf(doc, { id, version, status: draft.status, unpublishedChanges: false }, { adoptExistingId: id }) };
};

/**
 * Adoption that writes nothing: the declaration must equal the latest published version, which the
 * resource records; a draft ahead of it (edits saved in the Genesys UI, not published) stays as it
 * is, reported as unpublishedChanges. A declaration that differs is refused rather than written,
 * since writing it would replace that draft.
 */
const adoptPublished: Adoption = async (ctx, id, doc, trace) => {
  const configurations = configurationsOf(ctx);
  const draft = await configurations.draft(id, trace);
  const latest = draft ? await configurations.latestPublished(id, trace) : undefined;
  if (!draft || latest === undefined) {
    throw new Error(
      `web deployment configuration ${id} (adoptExistingId) does not exist; check the id, or remove adoptExistingId to create it`,
    );
  }
  if (latest === "") {
    throw new Error(
      `web deployment configuration "${draft.name}" (${id}) has never been published, so keepUnpublishedDraft has no published ` +
        "version to adopt; publish it in Genesys, or remove keepUnpublishedDraft to publish the declared document",
    );
  }
  const published = await configurations.version(id, latest, trace);
  const differing = differences(published, doc);
  if (differing.length > 0) {
    throw new Error(
      `web deployment configuration "${draft.name}" (${id}): the declaration differs from its published version ${latest} in ` +
        `${differing.join(", ")}; with keepUnpublishedDraft the adoption writes nothing, so declare what version ${latest} holds ` +
        "(npm run export writes it), or remove keepUnpublishedDraft to write the declaration into the draft and publish it",
    );
  }
  const unpublishedChanges = !sameDocument(documentOf(draft), doc);
  return {
    id,
    outs: outputsOf(
      doc,
      { id, version: latest, status: draft.status, unpublishedChanges },
      { adoptExistingId: id, keepUnpublishedDraft: true },
    ),
  };
};

async function read(ctx: RuntimeContext, id: string, props: Props): Promise<{ id: string; props?: ConfigurationOutputs; inputs?: Props }> {
  const name = typeof props.name === "string" ? props.name : id;
  return audited(ctx, { action: "read", resourceType: CONFIGURATION_TYPE, resourceName: name, targetId: id }, async (trace) => {
    const configurations = configurationsOf(ctx);
    const draft = await configurations.draft(id, trace);
    // A configuration being deleted out of band is as good as gone: the next `up` recreates it.
    if (!draft || draft.status === "Deleting") return { id: "" };
    const latest = await configurations.latestPublished(id, trace);
    if (latest === undefined) return { id: "" }; // deleted between the two calls
    const published = latest ? await configurations.version(id, latest, trace) : undefined;
    const steering: Steering = {
      ...(typeof props.adoptExistingId === "string" ? { adoptExistingId: props.adoptExistingId } : {}),
      ...(props.keepUnpublishedDraft === true ? { keepUnpublishedDraft: true } : {}),
    };
    const draftDoc = documentOf(draft);
    const unpublishedChanges = !published || !sameDocument(documentOf(published), draftDoc);
    // Keeping the draft, the published version is what the deployments serve and what is declared.
    const doc = steering.keepUnpublishedDraft && published ? documentOf(published) : draftDoc;
    const outs = outputsOf(doc, { id, version: latest || String(props.version ?? ""), status: draft.status, unpublishedChanges }, steering);
    return { id, props: outs, inputs: { ...doc, ...steeringInputs(steering) } };
  });
}

async function update(ctx: RuntimeContext, id: string, _olds: Props, news: Props): Promise<{ outs: ConfigurationOutputs }> {
  const { doc, steering } = requireValid(news);
  return audited(
    ctx,
    { action: "update", resourceType: CONFIGURATION_TYPE, resourceName: doc.name, targetId: id, payload: doc },
    async (trace) => {
      try {
        await configurationsOf(ctx).putDraft(id, doc, trace);
      } catch (err) {
        if (err instanceof GenesysApiError && err.status === 404) {
          throw new Error(`web deployment configuration ${id} no longer exists; run \`pulumi refresh\`, then \`pulumi up\` recreates it`, {
            cause: err,
          });
        }
        throw err;
      }
      const active = await waitForActiveDraft(ctx, id, trace);
      const version = await publishWithRetry(ctx, id, doc, trace);
      return { outs: outputsOf(doc, { id, version, status: active.status, unpublishedChanges: false }, steering) };
    },
  );
}

async function remove(ctx: RuntimeContext, id: string, props: Props): Promise<void> {
  const name = typeof props.name === "string" ? props.name : id;
  await audited(ctx, { action: "delete", resourceType: CONFIGURATION_TYPE, resourceName: name, targetId: id }, async (trace) => {
    await deleteAndWait(ctx, id, trace);
  });
}

/** The WebDeploymentConfiguration's lifecycle: the dynamic ResourceProvider's methods, given the context. */
export const lifecycle = {
  check,
  diff: (_id: string, olds: Props, news: Props) => diffConfiguration(olds, news),
  create,
  read,
  update,
  delete: remove,
} satisfies Lifecycle;
