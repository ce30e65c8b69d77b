/**
 * The embedded Genesys Cloud emulator: serves the REST contract of api-contract.md (OAuth, brands,
 * webhooks and their deliveries) on one loopback origin, plus an admin API for tests.
 *
 *   const emu = await startEmulator({ adminToken: "t" });   // port 0, in-memory data
 *   ... emu.url ...
 *   await emu.close();
 */
import { TokenService } from "./auth";
import { resolveConfig, type EmulatorOptions } from "./config";
import type { EmulatorContext } from "./context";
import { DeliveryDispatcher } from "./deliveries";
import { FaultInjector } from "./faults";
import { SqliteStore } from "./persistence/sqlite";
import { RateLimiter } from "./ratelimit";
import { RequestLog } from "./requestlog";
import { buildServer } from "./server";

export type { EmulatorClient, EmulatorOptions } from "./config";
export { ADMIN_TOKEN_HEADER } from "./handlers/admin";
export { signDelivery } from "./deliveries";

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const config = resolveConfig(opts);
  const warn = (message: string): void => {
    if (!config.quiet) process.stderr.write(`[genesys-emulator] ${message}\n`);
  };
  const store = new SqliteStore(config.data);
  const dispatcher = new DeliveryDispatcher(store, config.webhookIntervalScale, warn);
  const ctx: EmulatorContext = {
    config,
    store,
    tokens: new TokenService(store, config),
    limiter: new RateLimiter(config.rateLimit.requests, config.rateLimit.perSeconds, Date.now, config.orgRateLimit),
    requestLog: new RequestLog(10_000),
    faults: new FaultInjector(config.seed),
    dispatcher,
    warn,
  };
  const { app, hung } = buildServer(ctx);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    store.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const hostForUrl = config.host.includes(":") ? `[${config.host}]` : config.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
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
