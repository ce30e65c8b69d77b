import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context";

function oauthError(error: string, description: string): Record<string, string> {
  return { error, description, error_description: description };
}

/** POST /oauth/token: client credentials only, the grant in the form body or (as the tutorial sends it) the query. */
export function registerOAuth(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post("/oauth/token", async (req, reply) => {
    reply.header("cache-control", "no-store").header("pragma", "no-cache");
    const client = ctx.tokens.authenticateClient(req.headers.authorization);
    if (!client) {
      return reply.code(401).send(oauthError("invalid_client", "client authentication failed: check the client id and secret"));
    }
    req.clientId = client.clientId;
    const body = typeof req.body === "object" && req.body !== null ? (req.body as Record<string, unknown>) : {};
    const query = req.query as Record<string, unknown>;
    const grant = body.grant_type ?? query.grant_type;
    if (grant === undefined || grant === "") {
      return reply.code(400).send(oauthError("invalid_request", "grant_type is required"));
    }
    if (grant !== "client_credentials") {
      return reply
        .code(400)
        .send(oauthError("unsupported_grant_type", `grant type ${String(grant)} is not supported; use client_credentials`));
    }
    const { accessToken, expiresIn } = ctx.tokens.issue(client);
    return { access_token: accessToken, token_type: "bearer", expires_in: expiresIn };
  });
}
