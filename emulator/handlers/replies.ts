import type { FastifyReply } from "fastify";

/** 201 with the new entity and its location, as Genesys answers a POST that creates one. */
export function created(reply: FastifyReply, entity: { selfUri: string }): FastifyReply {
  return reply.code(201).header("location", entity.selfUri).send(entity);
}
