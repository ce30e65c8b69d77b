import type { FastifyInstance, FastifyRequest } from "fastify";
import type { EmulatorContext } from "../context";
import { invalidField } from "../errors";
import { requireScope } from "../handlers/auth";
import { DEPLOYMENTS, GET_EXPANDS, LIST_EXPANDS, WEBDEPLOYMENT_SCOPES } from "./contract";
import { originAllowed } from "./cors";
import { listingBody, parseCursorQuery } from "./paging";
import { expandValues, queryString } from "./query";
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

/** HTTP in and out; WebDeploymentsService owns the rules. */
export function registerDeployments(app: FastifyInstance, ctx: EmulatorContext): void {
  const svc = ctx.webDeployments;
  const read = { preHandler: requireScope(ctx, [WEBDEPLOYMENT_SCOPES.write, WEBDEPLOYMENT_SCOPES.read]) };
  const write = { preHandler: requireScope(ctx, WEBDEPLOYMENT_SCOPES.write) };

  app.post(DEPLOYMENTS, write, async (req) =>
    renderDeployment(
      svc,
      svc.createDeployment(req.body, (id) => buildSnippet(origin(req), id)),
    ),
  );

  app.get(DEPLOYMENTS, read, async (req) => {
    const query = req.query as Record<string, unknown>;
    const cursor = parseCursorQuery(query);
    const expand = checkExpand(query, LIST_EXPANDS);
    const withConfiguration = expand.has("Configuration");
    const page = svc.listDeployments(cursor);
    const keep: Record<string, string> = expand.size > 0 ? { expand: [...expand].join(",") } : {};
    return listingBody(DEPLOYMENTS, page, cursor.limit, keep, (d) => renderDeployment(svc, d, withConfiguration), queryString(req.url));
  });

  app.get<IdRoute>(`${DEPLOYMENTS}/:id`, read, async (req) => {
    const expand = checkExpand(req.query as Record<string, unknown>, GET_EXPANDS);
    return renderDeployment(svc, svc.deployment(req.params.id), expand.has("Configuration"));
  });

  app.put<IdRoute>(`${DEPLOYMENTS}/:id`, write, async (req) => renderDeployment(svc, svc.replaceDeployment(req.params.id, req.body)));

  app.delete<IdRoute>(`${DEPLOYMENTS}/:id`, write, async (req, reply) => {
    svc.deleteDeployment(req.params.id);
    return reply.code(204).send();
  });

  // Public: the Messenger on a customer's page calls this without any token, so no scope and no rate
  // limit per token apply; the request log and fault injection still do.
  app.get<IdRoute>(`${DEPLOYMENTS}/:id/configurations`, async (req, reply) => {
    const d = svc.liveDeployment(req.params.id);
    // A browser only lets the Messenger read this from a page on one of the deployment's domains.
    const pageOrigin = req.headers.origin;
    reply.header("vary", "Origin");
    if (typeof pageOrigin === "string" && originAllowed(pageOrigin, d.content)) reply.header("access-control-allow-origin", pageOrigin);
    const { config, version } = svc.referenced(d);
    return {
      ...(config ? { configurationVersion: version ? renderVersion(svc, config, version) : renderDraft(svc, config) } : {}),
      deployment: renderDeployment(svc, d),
    };
  });
}
