/**
 * The embedded Genesys Cloud emulator: serves the REST contract of docs/api-contract.md (OAuth, brands,
 * webhooks and their deliveries) and Genesys's real web deployments surface (/api/v2/webdeployments,
 * see webdeployments/contract.ts) on one loopback origin, plus an admin API for tests.
 *
 *   const emu = await startEmulator({ adminToken: "t" });   // port 0, in-memory data
 *   ... emu.url ...
 *   await emu.close();
 */
import type { FastifyInstance } from "fastify";
import { TokenService } from "./auth";
import { resolveConfig, type EmulatorOptions, type ResolvedConfig } from "./config";
import type { EmulatorContext } from "./context";
import { DeliveryDispatcher } from "./deliveries";
import { FaultInjector } from "./faults";
import { SqliteStore } from "./persistence/sqlite";
import { RateLimiter } from "./ratelimit";
import { RequestLog } from "./requestlog";
import { buildServer } from "./server";
import { BrandsService } from "./services/brands";
import { WebDeploymentsService } from "./services/webdeployments";
import { WebhooksService } from "./services/webhooks";

export type { EmulatorClock } from "./clock";
export type { EmulatorClient, EmulatorOptions } from "./config";
export { ADMIN_TOKEN_HEADER } from "./handlers/admin";

export interface RunningEmulator {
  url: string;
  port: number;
  /** Resolves once every webhook delivery of the events so far has succeeded or given up (retries included). */
  deliveriesIdle(): Promise<void>;
  close(): Promise<void>;
}

/** The emulator wired but not listening: `startEmulator` listens on it; a test may drive `app.inject` directly. */
export interface AssembledEmulator {
  config: ResolvedConfig;
  ctx: EmulatorContext;
  app: FastifyInstance;
  /** Stops deliveries, closes the app and the store; safe to call more than once. */
  close(): Promise<void>;
}

export function assembleEmulator(opts: EmulatorOptions = {}): AssembledEmulator {
  const config = resolveConfig(opts);
  const warn = (message: string): void => {
    if (!config.quiet) process.stderr.write(`[genesys-emulator] ${message}\n`);
  };
  const { clock } = config;
  const store = new SqliteStore(config.data, () => clock.now());
  const dispatcher = new DeliveryDispatcher(store, config.webhookIntervalScale, clock, warn);
  const ctx: EmulatorContext = {
    config,
    clock,
    brands: new BrandsService(store, dispatcher, clock, config.healthProbe),
    webhooks: new WebhooksService(store, clock),
    tokens: new TokenService(store, config),
    limiter: new RateLimiter(config.rateLimit.requests, config.rateLimit.perSeconds, () => clock.now(), config.orgRateLimit),
    requestLog: new RequestLog(10_000),
    faults: new FaultInjector(config.seed),
    dispatcher,
    webDeployments: new WebDeploymentsService(store.webDeployments, config.webDeployments, clock),
    clearData: () => store.clear(),
    warn,
  };
  const { app, hung } = buildServer(ctx);
  let closing: Promise<void> | undefined;
  return {
    config,
    ctx,
    app,
    close() {
      closing ??= (async () => {
        for (const socket of hung) socket.destroy();
        await dispatcher.close();
        await app.close();
        store.close();
      })();
      return closing;
    },
  };
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const { config, ctx, app, close } = assembleEmulator(opts);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const hostForUrl = config.host.includes(":") ? `[${config.host}]` : config.host;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    deliveriesIdle: () => ctx.dispatcher.idle(),
    close,
  };
}
