import type { TokenService, Principal } from "./auth";
import type { EmulatorClock } from "./clock";
import type { ResolvedConfig } from "./config";
import type { DeliveryDispatcher } from "./deliveries";
import type { FaultInjector } from "./faults";
import type { RateLimiter } from "./ratelimit";
import type { RequestLog } from "./requestlog";
import type { Store } from "./persistence/store";

/** The services a handler may use; built once per emulator instance. */
export interface EmulatorContext {
  config: ResolvedConfig;
  clock: EmulatorClock;
  store: Store;
  tokens: TokenService;
  limiter: RateLimiter;
  requestLog: RequestLog;
  faults: FaultInjector;
  dispatcher: DeliveryDispatcher;
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
