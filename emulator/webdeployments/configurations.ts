import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context";
import { invalidField } from "../errors";
import { requireScope } from "../handlers/auth";
import { CONFIGURATIONS, MAX_VERSIONS_LISTED, WEBDEPLOYMENT_SCOPES } from "./contract";
import { configurationDeleting, configurationInUse, configurationNotFound, draftNotReady, versionNotFound } from "./errors";
import type { ConfigurationRecord } from "./model";
import { listingBody, parseCursorQuery } from "./paging";
import { queryString } from "./query";
import { parseConfiguration } from "./validation";
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

export function registerConfigurations(app: FastifyInstance, ctx: EmulatorContext): void {
  const svc = ctx.webDeployments;
  const { store } = svc;
  const read = { preHandler: requireScope(ctx, [WEBDEPLOYMENT_SCOPES.write, WEBDEPLOYMENT_SCOPES.read]) };
  const write = { preHandler: requireScope(ctx, WEBDEPLOYMENT_SCOPES.write) };
  const iso = (): string => new Date(svc.now()).toISOString();

  function existing(id: string): ConfigurationRecord {
    svc.settle();
    const c = store.getConfiguration(id);
    if (!c) throw configurationNotFound(id);
    return c;
  }

  function writable(id: string): ConfigurationRecord {
    const c = existing(id);
    if (c.goneAt !== undefined) throw configurationDeleting(id);
    return c;
  }

  app.post(CONFIGURATIONS, write, async (req) => {
    const draft = parseConfiguration(req.body);
    svc.settle();
    const now = iso();
    const record = store.insertConfiguration({
      id: randomUUID(),
      draft,
      dateCreated: now,
      draftModified: now,
      draftReadyAt: svc.now() + svc.timing.draftSettleMs,
    });
    return renderDraft(svc, record);
  });

  app.get(CONFIGURATIONS, read, async (req) => {
    const query = req.query as Record<string, unknown>;
    const cursor = parseCursorQuery(query);
    const onlyPublished = String(query.showOnlyPublished ?? "false").toLowerCase() === "true";
    svc.settle();
    const page = store.listConfigurations({ ...cursor, onlyPublished });
    const keep: Record<string, string> = onlyPublished ? { showOnlyPublished: "true" } : {};
    return listingBody(CONFIGURATIONS, page, cursor.limit, keep, (c) => renderDraft(svc, c), queryString(req.url));
  });

  app.get<IdRoute>(`${CONFIGURATIONS}/:id/versions`, read, async (req) => {
    const c = existing(req.params.id);
    const published = store.recentVersions(c.id, MAX_VERSIONS_LISTED - 1);
    return {
      entities: [renderDraft(svc, c), ...published.map((v) => renderVersion(svc, c, v))],
      selfUri: `${CONFIGURATIONS}/${c.id}/versions`,
      total: 1 + store.countVersions(c.id),
    };
  });

  app.get<VersionRoute>(`${CONFIGURATIONS}/:id/versions/:version`, read, async (req) => {
    const c = existing(req.params.id);
    const { version } = req.params;
    if (version.toLowerCase() === "draft") return renderDraft(svc, c);
    const v = /^[1-9]\d{0,8}$/.test(version) ? store.getVersion(c.id, Number(version)) : undefined;
    if (!v) throw versionNotFound(c.id, version);
    return renderVersion(svc, c, v);
  });

  app.put<IdRoute>(`${CONFIGURATIONS}/:id/versions/draft`, write, async (req) => {
    const draft = parseConfiguration(req.body);
    const c = writable(req.params.id);
    const body = req.body as Record<string, unknown>;
    if (body.id !== undefined && body.id !== c.id) throw invalidField("id", "must match the configuration id in the path");
    const updated: ConfigurationRecord = { ...c, draft, draftModified: iso(), draftReadyAt: svc.now() + svc.timing.draftSettleMs };
    store.updateConfiguration(updated);
    return renderDraft(svc, updated);
  });

  app.post<IdRoute>(`${CONFIGURATIONS}/:id/versions/draft/publish`, write, async (req) => {
    const c = writable(req.params.id);
    if (svc.draftStatus(c) === "Pending") throw draftNotReady(c.id);
    const version = store.publish(c.id, c.draft, c.dateCreated, c.draftModified, iso());
    return renderVersion(svc, c, version);
  });

  app.delete<IdRoute>(`${CONFIGURATIONS}/:id`, write, async (req, reply) => {
    const c = existing(req.params.id);
    if (c.goneAt === undefined) {
      const users = store.deploymentsUsing(c.id);
      if (users.length > 0) throw configurationInUse(c.id, users);
      store.markConfigurationGone(c.id, svc.now() + svc.timing.deletionDelayMs);
      svc.settle();
    }
    return reply.code(204).send();
  });
}
