import type { FastifyInstance } from "fastify";
import { HEALTH_STATUSES, type HealthStatus } from "../contract";
import { safeEqual } from "../auth";
import { isLoopbackHost } from "../config";
import type { EmulatorContext } from "../context";
import { authenticationRequired, faultNotFound, forbidden, invalidField } from "../errors";
import { objectOrEmpty } from "../validation";
import { registerWebDeploymentsAdmin } from "../webdeployments";

export const ADMIN_PREFIX = "/__admin";
export const ADMIN_TOKEN_HEADER = "x-emulator-admin-token";

/**
 * Test-control API. Only registered when an admin token is configured, only answered to loopback peers,
 * and kept out of the request log, the rate limiter and fault injection, so that steering a test never
 * changes what the test observes.
 */
export function registerAdmin(app: FastifyInstance, ctx: EmulatorContext, adminToken: string): void {
  void app.register(
    async (admin) => {
      admin.addHook("onRequest", async (req) => {
        if (!isLoopbackHost(req.socket.remoteAddress ?? "")) {
          throw forbidden("The admin API only answers loopback clients.");
        }
        const given = req.headers[ADMIN_TOKEN_HEADER];
        if (typeof given !== "string" || given.length === 0) {
          throw authenticationRequired(`The admin API requires the ${ADMIN_TOKEN_HEADER} header.`);
        }
        if (!safeEqual(given, adminToken)) throw forbidden("Wrong admin token.");
      });

      admin.post("/faults", async (req, reply) => reply.code(201).send(ctx.faults.add(req.body)));
      admin.get("/faults", async () => ({ faults: ctx.faults.list() }));
      admin.delete("/faults", async (_req, reply) => {
        ctx.faults.clear();
        return reply.code(204).send();
      });

      admin.delete<{ Params: { id: string } }>("/faults/:id", async (req, reply) => {
        if (!ctx.faults.remove(req.params.id)) throw faultNotFound(req.params.id);
        return reply.code(204).send();
      });

      admin.get("/requests", async () => ({ requests: ctx.requestLog.entries() }));
      admin.delete("/requests", async (_req, reply) => {
        ctx.requestLog.clear();
        return reply.code(204).send();
      });

      admin.put<{ Params: { id: string } }>("/brands/:id/health", async (req) => {
        const { healthStatus } = objectOrEmpty(req.body);
        if (healthStatus !== null && !(HEALTH_STATUSES as readonly unknown[]).includes(healthStatus)) {
          throw invalidField("healthStatus", `must be one of ${HEALTH_STATUSES.join(", ")}, or null to clear`);
        }
        const status = healthStatus as HealthStatus | null;
        ctx.brands.setHealthOverride(req.params.id, status);
        return { brandId: req.params.id, healthStatus: status };
      });

      admin.post("/tokens/revoke", async (req) => {
        const { clientId } = objectOrEmpty(req.body);
        if (clientId !== undefined && typeof clientId !== "string") throw invalidField("clientId", "must be a string");
        return { revoked: ctx.tokens.revoke(clientId) };
      });

      admin.get<{ Querystring: { clientId?: string } }>("/tokens/count", async (req) => {
        const byClient = ctx.tokens.issueCounts();
        const { clientId } = req.query;
        const issued = clientId !== undefined ? (byClient[clientId] ?? 0) : Object.values(byClient).reduce((a, b) => a + b, 0);
        return { issued, byClient };
      });

      admin.get<{ Querystring: { webhookId?: string } }>("/deliveries", async (req) => {
        const all = ctx.dispatcher.recent(10_000);
        const { webhookId } = req.query;
        return { deliveries: webhookId === undefined ? all : all.filter((d) => d.webhookId === webhookId) };
      });

      registerWebDeploymentsAdmin(admin, ctx);

      admin.post("/reset", async (_req, reply) => {
        ctx.dispatcher.cancelAll();
        ctx.clearData();
        ctx.tokens.reset();
        ctx.limiter.reset();
        ctx.faults.clear();
        ctx.requestLog.clear();
        return reply.code(204).send();
      });
    },
    { prefix: ADMIN_PREFIX },
  );
}
