import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { EmulatorContext } from "../context";
import { invalidField } from "../errors";
import { requireScope } from "../handlers/auth";
import { DEPLOYMENTS, GET_EXPANDS, LIST_EXPANDS, WEBDEPLOYMENT_SCOPES } from "./contract";
import { originAllowed } from "./cors";
import { configurationDeleting, deploymentDeleting, deploymentNotFound } from "./errors";
import type { DeploymentContent, DeploymentRecord } from "./model";
import { listingBody, parseCursorQuery } from "./paging";
import { expandValues, queryString } from "./query";
import { parseDeployment } from "./validation";
import { buildSnippet, renderDeployment, renderDraft, renderVersion } from "./views";

/**
 * Deployments: a name, domains and a flow, pointing at one published configuration version.
 *   POST   /deployments                        create; Pending, then Active (or Error)
 *   GET    /deployments?pageSize&before&after&expand=Configuration
 *   GET    /deployments/{id}?expand=...        status is the health: there is no health expand
 *   PUT    /deployments/{id}                   replace the whole document; Pending again
 *   DELETE /deployments/{id}                   asynchronous: Deleting, then 404
 *   GET    /deployments/{id}/configurations    public (no token): what the Messenger loads
 */

type IdRoute = { Params: { id: string } };

/** The expand values asked for, in the contract's spelling (clients' case varies: Configuration, configuration). */
function checkExpand(query: Record<string, unknown>, allowed: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const e of expandValues(query)) {
    const canonical = allowed.find((a) => a.toLowerCase() === e.toLowerCase());
    if (canonical === undefined) throw invalidField("expand", `must be among ${allowed.join(", ")}; got "${e}"`);
    out.add(canonical);
  }
  return out;
}

function origin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

export function registerDeployments(app: FastifyInstance, ctx: EmulatorContext): void {
  const svc = ctx.webDeployments;
  const { store } = svc;
  const read = { preHandler: requireScope(ctx, [WEBDEPLOYMENT_SCOPES.write, WEBDEPLOYMENT_SCOPES.read]) };
  const write = { preHandler: requireScope(ctx, WEBDEPLOYMENT_SCOPES.write) };
  const iso = (): string => new Date(svc.now()).toISOString();

  function existing(id: string): DeploymentRecord {
    svc.settle();
    const d = store.getDeployment(id);
    if (!d) throw deploymentNotFound(id);
    return d;
  }

  /** A deployment may only point at a published version of a configuration that is not being deleted. */
  function checkReferences(content: DeploymentContent): void {
    const { id, version } = content.configuration;
    const config = store.getConfiguration(id);
    if (!config) throw invalidField("configuration.id", `configuration ${id} does not exist`);
    if (config.goneAt !== undefined) throw configurationDeleting(id);
    if (!store.getVersion(id, Number(version))) {
      const latest = store.latestVersion(id);
      throw invalidField(
        "configuration.version",
        latest === undefined
          ? `configuration ${id} has no published version yet; publish its draft first`
          : `configuration ${id} has no published version ${version} (latest: ${latest})`,
      );
    }
  }

  app.post(DEPLOYMENTS, write, async (req) => {
    const content = parseDeployment(req.body);
    svc.settle();
    checkReferences(content);
    const id = randomUUID();
    const now = iso();
    const record = store.insertDeployment({
      id,
      content,
      snippet: buildSnippet(origin(req), id),
      dateCreated: now,
      dateModified: now,
      activeAt: svc.now() + svc.timing.activationDelayMs,
    });
    return renderDeployment(svc, record);
  });

  app.get(DEPLOYMENTS, read, async (req) => {
    const query = req.query as Record<string, unknown>;
    const cursor = parseCursorQuery(query);
    const expand = checkExpand(query, LIST_EXPANDS);
    const withConfiguration = expand.has("Configuration");
    svc.settle();
    const page = store.listDeployments(cursor);
    const keep: Record<string, string> = expand.size > 0 ? { expand: [...expand].join(",") } : {};
    return listingBody(DEPLOYMENTS, page, cursor.limit, keep, (d) => renderDeployment(svc, d, withConfiguration), queryString(req.url));
  });

  app.get<IdRoute>(`${DEPLOYMENTS}/:id`, read, async (req) => {
    const expand = checkExpand(req.query as Record<string, unknown>, GET_EXPANDS);
    return renderDeployment(svc, existing(req.params.id), expand.has("Configuration"));
  });

  app.put<IdRoute>(`${DEPLOYMENTS}/:id`, write, async (req) => {
    const content = parseDeployment(req.body);
    const d = existing(req.params.id);
    const body = req.body as Record<string, unknown>;
    if (body.id !== undefined && body.id !== d.id) throw invalidField("id", "must match the deployment id in the path");
    if (d.goneAt !== undefined) throw deploymentDeleting(d.id);
    checkReferences(content);
    const updated: DeploymentRecord = { ...d, content, dateModified: iso(), activeAt: svc.now() + svc.timing.activationDelayMs };
    store.updateDeployment(updated);
    return renderDeployment(svc, updated);
  });

  app.delete<IdRoute>(`${DEPLOYMENTS}/:id`, write, async (req, reply) => {
    const d = existing(req.params.id);
    if (d.goneAt === undefined) {
      store.markDeploymentGone(d.id, svc.now() + svc.timing.deletionDelayMs);
      svc.settle();
    }
    return reply.code(204).send();
  });

  // Public: the Messenger on a customer's page calls this without any token, so no scope and no rate
  // limit per token apply; the request log and fault injection still do.
  app.get<IdRoute>(`${DEPLOYMENTS}/:id/configurations`, async (req, reply) => {
    const d = existing(req.params.id);
    if (d.goneAt !== undefined) throw deploymentNotFound(d.id);
    // A browser only lets the Messenger read this from a page on one of the deployment's domains.
    const pageOrigin = req.headers.origin;
    reply.header("vary", "Origin");
    if (typeof pageOrigin === "string" && originAllowed(pageOrigin, d.content)) reply.header("access-control-allow-origin", pageOrigin);
    const config = store.getConfiguration(d.content.configuration.id);
    const version = config ? store.getVersion(config.id, Number(d.content.configuration.version)) : undefined;
    return {
      ...(config ? { configurationVersion: version ? renderVersion(svc, config, version) : renderDraft(svc, config) } : {}),
      deployment: renderDeployment(svc, d),
    };
  });
}
