import type { TokenService, Principal } from "./auth";
import type { EmulatorClock } from "./clock";
import type { ResolvedConfig } from "./config";
import type { DeliveryDispatcher } from "./deliveries";
import type { FaultInjector } from "./faults";
import type { RateLimiter } from "./ratelimit";
import type { RequestLog } from "./requestlog";
import type { BrandsService } from "./services/brands";
import type { WebDeploymentsService } from "./services/webdeployments";
import type { WebhooksService } from "./services/webhooks";

/**
 * The services a handler may use; built once per emulator instance. Handlers reach data only through
 * these services, never the store itself.
 */
export interface EmulatorContext {
  config: ResolvedConfig;
  clock: EmulatorClock;
  brands: BrandsService;
  webhooks: WebhooksService;
  tokens: TokenService;
  limiter: RateLimiter;
  requestLog: RequestLog;
  faults: FaultInjector;
  dispatcher: DeliveryDispatcher;
  /** The real /api/v2/webdeployments surface: its store, clock and delays. */
  webDeployments: WebDeploymentsService;
  /** Admin reset: every surface's data goes, the schema stays. */
  clearData(): void;
  warn(message: string): void;
}

declare module "fastify" {
  interface FastifyRequest {
    correlationId: string;
    principal: Principal | undefined;
    /** Set once the client authenticated, for the request log (token endpoint included). */
    clientId: string | undefined;
    faultId: string | undefined;
    isAdmin: boolean;
  }
}
