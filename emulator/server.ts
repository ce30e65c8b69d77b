import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { EmulatorContext } from "./context";
import { ApiError, errorForStatus, routeNotFound } from "./errors";
import { retryAfterHeader, type FaultRule } from "./faults";
import { ADMIN_PREFIX, registerAdmin } from "./handlers/admin";
import { registerBrands } from "./handlers/brands";
import { registerOAuth } from "./handlers/oauth";
import { registerWebhooks } from "./handlers/webhooks";
import { loggablePath, type RequestLogEntry } from "./requestlog";
import { registerWebDeployments } from "./webdeployments";

const CORRELATION_HEADER = "inin-correlation-id";

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const status = (err as { statusCode?: number }).statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // Framework errors (malformed JSON, wrong media type, body too large) carry safe, useful messages.
    return errorForStatus(status, (err as Error).message);
  }
  return errorForStatus(500);
}

function faultError(rule: FaultRule): ApiError {
  const status = rule.status!;
  const retryAfter = retryAfterHeader(rule.retryAfter, status);
  return errorForStatus(status, undefined, retryAfter !== undefined ? { "retry-after": retryAfter } : undefined);
}

/** A promise that never settles: the way to leave a request unanswered from inside a hook. */
function never(): Promise<never> {
  return new Promise<never>(() => undefined);
}

export interface BuiltServer {
  app: FastifyInstance;
  /** Sockets held open by hang faults, destroyed on close so that shutdown never waits on them. */
  hung: Set<Socket>;
}

/**
 * The whole server, as a composition: parsers, the correlation/fault/log hooks, the error answers, then
 * each surface's routes. Each part below owns one concern.
 */
export function buildServer(ctx: EmulatorContext): BuiltServer {
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    return503OnClosing: true,
    bodyLimit: 1024 * 1024,
  });
  const hung = new Set<Socket>();
  decorateRequests(app);
  registerParsers(app);
  registerFaultHooks(app, ctx, hung);
  registerRequestLog(app, ctx);
  registerErrorAnswers(app, ctx);

  registerOAuth(app, ctx);
  registerBrands(app, ctx);
  registerWebhooks(app, ctx);
  registerWebDeployments(app, ctx);
  if (ctx.config.adminToken !== undefined) registerAdmin(app, ctx, ctx.config.adminToken);
  return { app, hung };
}

function decorateRequests(app: FastifyInstance): void {
  app.decorateRequest("correlationId", "");
  app.decorateRequest("principal", undefined);
  app.decorateRequest("clientId", undefined);
  app.decorateRequest("faultId", undefined);
  app.decorateRequest("isAdmin", false);
}

function registerParsers(app: FastifyInstance): void {
  // Genesys accepts a bodiless POST that still says application/json (its JS SDK sends exactly that for
  // versions/draft/publish); Fastify's own parser would refuse it, so an empty body parses as no body.
  const json = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    if (body === "") {
      done(null, undefined);
      return;
    }
    json(req, body as string, done);
  });

  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 64 * 1024 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

/** One request-log entry; `status` 0 for a request that never got an answer. */
function logEntry(req: FastifyRequest, reply: FastifyReply, status: number, durationMs: number): RequestLogEntry {
  return {
    time: new Date(Date.now() - reply.elapsedTime).toISOString(),
    method: req.method,
    path: loggablePath(req.url),
    status,
    correlationId: req.correlationId,
    durationMs,
    ...(req.clientId !== undefined ? { clientId: req.clientId } : {}),
    ...(req.faultId !== undefined ? { fault: req.faultId } : {}),
  };
}

/**
 * Assigns the correlation id, then applies the fault rules: before the handler (delay, reset, hang,
 * status) and after it (the handler has run and committed; the client loses or never sees the answer).
 */
function registerFaultHooks(app: FastifyInstance, ctx: EmulatorContext, hung: Set<Socket>): void {
  const logUnanswered = (req: FastifyRequest, reply: FastifyReply): void =>
    ctx.requestLog.add(logEntry(req, reply, 0, Math.round(reply.elapsedTime)));

  function hold(req: FastifyRequest): void {
    const socket = req.raw.socket;
    hung.add(socket);
    socket.once("close", () => hung.delete(socket));
  }

  app.addHook("onRequest", async (req, reply) => {
    req.correlationId = randomUUID();
    reply.header(CORRELATION_HEADER, req.correlationId);
    if (req.url.startsWith(ADMIN_PREFIX)) {
      req.isAdmin = true;
      return;
    }
    const rule = ctx.faults.pick(req.method, req.url.split("?", 1)[0]!, false);
    if (!rule) return;
    req.faultId = rule.id;
    if (rule.delayMs) await ctx.clock.sleep(rule.delayMs);
    if (rule.reset) {
      logUnanswered(req, reply);
      reply.hijack();
      req.raw.socket.destroy();
      return;
    }
    if (rule.hang) {
      logUnanswered(req, reply);
      reply.hijack();
      hold(req);
      return;
    }
    if (rule.status !== undefined) throw faultError(rule);
  });

  app.addHook("onSend", async (req, reply, payload) => {
    if (req.isAdmin || req.faultId !== undefined) return payload;
    const rule = ctx.faults.pick(req.method, req.url.split("?", 1)[0]!, true);
    if (!rule) return payload;
    req.faultId = rule.id;
    if (rule.delayMs) await ctx.clock.sleep(rule.delayMs);
    if (rule.reset) {
      logUnanswered(req, reply);
      req.raw.socket.destroy();
      return never();
    }
    if (rule.hang) {
      logUnanswered(req, reply);
      hold(req);
      return never();
    }
    if (rule.status !== undefined) {
      const err = faultError(rule);
      for (const [k, v] of Object.entries(err.options.headers ?? {})) reply.header(k, v);
      reply.code(err.status).type("application/json; charset=utf-8").removeHeader("location");
      return JSON.stringify(err.toBody(req.correlationId));
    }
    return payload;
  });
}

function registerRequestLog(app: FastifyInstance, ctx: EmulatorContext): void {
  app.addHook("onResponse", async (req, reply) => {
    if (req.isAdmin) return;
    ctx.requestLog.add(logEntry(req, reply, reply.statusCode, Math.round(reply.elapsedTime * 100) / 100));
  });
}

/** Every error leaves as Genesys's ErrorBody with a correlation id, whatever raised it. */
function registerErrorAnswers(app: FastifyInstance, ctx: EmulatorContext): void {
  app.setErrorHandler((err, req, reply) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500 && !(err instanceof ApiError))
      ctx.warn(`unhandled error on ${req.method} ${req.routeOptions.url ?? "?"}: ${String(err)}`);
    for (const [k, v] of Object.entries(apiError.options.headers ?? {})) reply.header(k, v);
    // A correlation id is assigned in onRequest; errors raised before it (e.g. a malformed URL) still get one.
    if (!req.correlationId) {
      req.correlationId = randomUUID();
      reply.header(CORRELATION_HEADER, req.correlationId);
    }
    return reply.code(apiError.status).send(apiError.toBody(req.correlationId));
  });

  app.setNotFoundHandler((req, reply) => {
    const err = routeNotFound(req.method, req.url.split("?", 1)[0]!);
    return reply.code(404).send(err.toBody(req.correlationId));
  });
}
