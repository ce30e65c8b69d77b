import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context";
import { requireScope } from "../handlers/auth";
import { CONFIGURATIONS, WEBDEPLOYMENT_SCOPES } from "./contract";
import { listingBody, parseCursorQuery } from "./paging";
import { queryString } from "./query";
import { renderDraft, renderVersion } from "./views";

/**
 * Configurations: a draft that is edited whole (PUT, last writer wins) and published as versions
 * 1, 2, 3, ...
 *   POST   /configurations                          create the draft
 *   GET    /configurations?pageSize&before&after&showOnlyPublished   the drafts, by cursor
 *   GET    /configurations/{id}/versions            the draft and the most recent published versions
 *   GET    /configurations/{id}/versions/{v}        v = draft (any case) or a version number
 *   GET    /configurations/{id}/versions/draft
 *   PUT    /configurations/{id}/versions/draft      replace the draft
 *   POST   /configurations/{id}/versions/draft/publish   draft -> version N+1
 *   DELETE /configurations/{id}                     every version; Deleting, then 404
 */

type IdRoute = { Params: { id: string } };
type VersionRoute = { Params: { id: string; version: string } };

/** HTTP in and out; WebDeploymentsService owns the rules. */
export function registerConfigurations(app: FastifyInstance, ctx: EmulatorContext): void {
  const svc = ctx.webDeployments;
  const read = { preHandler: requireScope(ctx, [WEBDEPLOYMENT_SCOPES.write, WEBDEPLOYMENT_SCOPES.read]) };
  const write = { preHandler: requireScope(ctx, WEBDEPLOYMENT_SCOPES.write) };

  app.post(CONFIGURATIONS, write, async (req) => renderDraft(svc, svc.createConfiguration(req.body)));

  app.get(CONFIGURATIONS, read, async (req) => {
    const query = req.query as Record<string, unknown>;
    const cursor = parseCursorQuery(query);
    const onlyPublished = String(query.showOnlyPublished ?? "false").toLowerCase() === "true";
    const page = svc.listConfigurations({ ...cursor, onlyPublished });
    const keep: Record<string, string> = onlyPublished ? { showOnlyPublished: "true" } : {};
    return listingBody(CONFIGURATIONS, page, cursor.limit, keep, (c) => renderDraft(svc, c), queryString(req.url));
  });

  app.get<IdRoute>(`${CONFIGURATIONS}/:id/versions`, read, async (req) => {
    const c = svc.configuration(req.params.id);
    const { versions, total } = svc.recentVersions(c);
    return {
      entities: [renderDraft(svc, c), ...versions.map((v) => renderVersion(svc, c, v))],
      selfUri: `${CONFIGURATIONS}/${c.id}/versions`,
      total: 1 + total,
    };
  });

  app.get<VersionRoute>(`${CONFIGURATIONS}/:id/versions/:version`, read, async (req) => {
    const c = svc.configuration(req.params.id);
    const { version } = req.params;
    if (version.toLowerCase() === "draft") return renderDraft(svc, c);
    return renderVersion(svc, c, svc.publishedVersion(c, version));
  });

  app.put<IdRoute>(`${CONFIGURATIONS}/:id/versions/draft`, write, async (req) =>
    renderDraft(svc, svc.replaceDraft(req.params.id, req.body)),
  );

  app.post<IdRoute>(`${CONFIGURATIONS}/:id/versions/draft/publish`, write, async (req) => {
    const { config, version } = svc.publish(req.params.id);
    return renderVersion(svc, config, version);
  });

  app.delete<IdRoute>(`${CONFIGURATIONS}/:id`, write, async (req, reply) => {
    svc.deleteConfiguration(req.params.id);
    return reply.code(204).send();
  });
}
