import type { FastifyReply, FastifyRequest } from "fastify";
import type { EmulatorContext } from "../context";
import { authenticationRequired, missingPermissions, rateLimited } from "../errors";

/**
 * The gate in front of every API route, in Genesys's order: who are you (401), are you over your rate
 * (429, counted per token), may you do this (403). Given several scopes, any one of them admits.
 */
export function requireScope(ctx: EmulatorContext, scope: string | readonly string[]) {
  const accepted: readonly string[] = typeof scope === "string" ? [scope] : scope;
  const listed = accepted.join(", ");
  return async function authorize(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const authorization = req.headers.authorization;
    const principal = ctx.tokens.verify(authorization);
    if (!principal) {
      throw authenticationRequired(
        authorization ? "Invalid login credentials." : "No authentication bearer token specified in authorization header.",
      );
    }
    req.principal = principal;
    req.clientId = principal.clientId;
    const retryAfter = ctx.limiter.take(principal.tokenHash);
    if (retryAfter > 0) throw rateLimited(retryAfter);
    if (!accepted.some((s) => principal.scopes.has(s))) throw missingPermissions(listed);
  };
}
