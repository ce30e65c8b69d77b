import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from "fastify";
import type { Page } from "../persistence/store";
import { pagedListing } from "./paging";
import { created } from "./replies";

export type IdRoute = { Params: { id: string }; Querystring: Record<string, string | undefined> };

/** What an entity collection's service offers its routes; the rules are the service's. */
export interface CollectionService<T extends { selfUri: string }> {
  create(body: unknown): T;
  list(query: { name?: string; offset: number; limit: number }): Page<T>;
  update(id: string, body: unknown): T;
  delete(id: string): void;
}

/**
 * A Genesys entity collection's routes, HTTP in and out: POST (201 and its location) and the paged
 * GET on the collection, GET, PUT and DELETE (204) on an id. GET by id is the caller's, as it
 * differs between collections (a brand's `?expand=health` and stored-JSON hot path).
 */
export function registerCollection<T extends { selfUri: string }>(
  app: FastifyInstance,
  base: string,
  guards: { read: RouteShorthandOptions; write: RouteShorthandOptions },
  service: CollectionService<T>,
  getOne: (req: FastifyRequest<IdRoute>, reply: FastifyReply) => unknown,
): void {
  app.post(base, guards.write, async (req, reply) => created(reply, service.create(req.body)));
  app.get(
    base,
    guards.read,
    pagedListing((query) => service.list(query)),
  );
  app.get<IdRoute>(`${base}/:id`, guards.read, async (req, reply) => getOne(req, reply));
  app.put<IdRoute>(`${base}/:id`, guards.write, async (req) => service.update(req.params.id, req.body));
  app.delete<IdRoute>(`${base}/:id`, guards.write, async (req, reply) => {
    service.delete(req.params.id);
    return reply.code(204).send();
  });
}
