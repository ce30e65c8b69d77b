/**
 * The real Genesys Cloud web messaging surface (/api/v2/webdeployments): versioned configurations and
 * the deployments that point at them. Registered beside the source design's surface, in the same
 * server, behind the same OAuth, rate limit, faults and request log.
 */
import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context";
import { registerConfigurations } from "./configurations";
import { registerDeployments } from "./deployments";

export { registerWebDeploymentsAdmin } from "./admin";

export function registerWebDeployments(app: FastifyInstance, ctx: EmulatorContext): void {
  registerConfigurations(app, ctx);
  registerDeployments(app, ctx);
}
