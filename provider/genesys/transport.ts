/**
 * The one place HTTP happens. Every call gets: a bearer token from the shared token source, one
 * transparent re-authentication on 401, retries decided by the policy in retry.ts, a process-wide
 * pause when the server asks callers to slow down, a total time budget, and errors that name the
 * operation, status, Genesys code and correlation id without ever carrying credentials.
 */
import http from "node:http";
import https from "node:https";
import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import { GenesysApiError, hintFor } from "./errors";
import type { Endpoints } from "./hosts";
import {
  type AttemptOutcome,
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  attemptsExhausted,
  isRetryable,
  isThrottle,
  retryDelayMs,
} from "./retry";
import { type PacingGate, pacingGateFor } from "./pacing";
import { sharedBudgetFor } from "./coordination";
import { PATHS } from "./paths";
import { type FetchedToken, TokenPool, type TokenSlot } from "./token-pool";

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface RequestSpec {
  /** What the caller is doing, for errors and the audit trail: "create brand \"support\"". */
  operation: string;
  method: Method;
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  /** Defaults to true for GET, PUT and DELETE. */
  idempotent?: boolean;
  /** Collects attempts and correlation ids across calls, for the audit trail. */
  trace?: CallTrace;
}

export interface CallTrace {
  attempts: number;
  /** Attempts that resent a call (the transport's own count, not inferred from answers). */
  retries: number;
  correlationIds: string[];
}

export function newTrace(): CallTrace {
  return { attempts: 0, retries: 0, correlationIds: [] };
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  correlationId?: string;
  attempts: number;
}

export interface TransportOptions extends Endpoints {
  clientId: string;
  clientSecret: string;
  policy?: Partial<RetryPolicy>;
  /**
   * The stack settings that chose apiUrl and authUrl, named when their host does not resolve;
   * default "genesys:apiUrl / genesys:region".
   */
  settingOf?: { apiUrl: string; authUrl: string };
  /** The org's API rate per token, kept proactively (see pacing.ts); unset = react to 429s only. */
  maxRequestsPerSecond?: number;
  /** Team mode: PostgreSQL keeping the budget every runner shares (coordination.ts). */
  coordinationUrl?: string;
  /** Team mode: the org-wide rate, every OAuth client together. */
  orgMaxRequestsPerSecond?: number;
  /** Team mode: the API's rate window in seconds, the shape of the shared budget's windows. */
  rateWindowSeconds?: number;
  /** Tokens of the same client to spread calls over, each paced at maxRequestsPerSecond (token-pool.ts); default 1. */
  tokenPoolSize?: number;
  /** Injected in tests so waits are observable and fast. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface TransportStats {
  tokenRequests: number;
  attempts: number;
  retries: number;
  throttled: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Transport {
  readonly stats: TransportStats = { tokenRequests: 0, attempts: 0, retries: 0, throttled: 0 };
  private readonly http: AxiosInstance;
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly pool: TokenPool;

  constructor(private readonly opts: TransportOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.policy };
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
    const budget = opts.coordinationUrl
      ? sharedBudgetFor({
          url: opts.coordinationUrl,
          apiHost: new URL(opts.apiUrl).host,
          clientId: opts.clientId,
          perClientPerSecond: opts.maxRequestsPerSecond,
          orgPerSecond: opts.orgMaxRequestsPerSecond,
          windowSeconds: opts.rateWindowSeconds,
        })
      : undefined;
    this.pool = new TokenPool({
      size: opts.tokenPoolSize ?? 1,
      fetch: (slot) => this.fetchToken(slot),
      // Slot 0 keeps the host's process-wide gate; every further token has a gate of its own.
      gateFor: (i) => pacingGateFor(i === 0 ? opts.apiUrl : `${opts.apiUrl}#token-${i}`, undefined, opts.maxRequestsPerSecond, budget),
      now: this.now,
    });
    this.http = axios.create({
      timeout: this.policy.timeoutMs,
      // A redirect would carry the bearer token to another host; we report it instead.
      maxRedirects: 0,
      validateStatus: () => true,
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true }),
      headers: { "User-Agent": "genesys-webmessaging-pulumi" },
    });
  }

  /** The (first) access token, fetched once and shared by every concurrent caller, renewed ahead of expiry. */
  accessToken(): Promise<string> {
    return this.pool.primary.token();
  }

  private async fetchToken(slot: TokenSlot): Promise<FetchedToken> {
    const form = new URLSearchParams({ grant_type: "client_credentials" }).toString();
    const basic = Buffer.from(`${this.opts.clientId}:${this.opts.clientSecret}`).toString("base64");
    const res = await this.send<{
      access_token?: string;
      expires_in?: number;
      error?: string;
      description?: string;
      error_description?: string;
    }>(
      { operation: "obtain an OAuth token", method: "POST", path: PATHS.token, idempotent: true },
      this.opts.authUrl,
      { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded" },
      form,
      slot.gate,
    );
    this.stats.tokenRequests++;
    const body = res.data ?? {};
    if (res.status !== 200 || typeof body.access_token !== "string") {
      const reason = body.error_description ?? body.description ?? body.error ?? `HTTP ${res.status}`;
      throw new GenesysApiError(`obtain an OAuth token failed: ${res.status} ${body.error ?? ""} (${reason}); ${hintFor(401, undefined)}`, {
        operation: "obtain an OAuth token",
        method: "POST",
        path: PATHS.token,
        status: res.status,
        code: body.error,
        correlationId: res.correlationId,
        attempts: res.attempts,
      });
    }
    // The pool renews it ahead of expiry, so no call goes out with a token about to expire in flight.
    return { value: body.access_token, lifetimeMs: (body.expires_in ?? 3600) * 1000 };
  }

  /** An authenticated API call. */
  async request<T>(spec: RequestSpec): Promise<ApiResponse<T>> {
    try {
      const res = await this.requestOnce<T>(spec);
      record(spec.trace, res.attempts, res.correlationId);
      return res;
    } catch (err) {
      if (err instanceof GenesysApiError) record(spec.trace, err.details.attempts, err.correlationId);
      throw err;
    }
  }

  private requestOnce<T>(spec: RequestSpec): Promise<ApiResponse<T>> {
    return this.pool.run(async (slot) => {
      let token = await slot.token();
      let res = await this.send<T>(spec, this.opts.apiUrl, { Authorization: `Bearer ${token}` }, spec.body, slot.gate);
      if (res.status === 401) {
        // The token expired or was revoked between our check and the server's: renew once.
        slot.invalidate(token);
        token = await slot.token();
        const again = await this.send<T>(spec, this.opts.apiUrl, { Authorization: `Bearer ${token}` }, spec.body, slot.gate);
        res = { ...again, attempts: res.attempts + again.attempts };
      }
      if (res.status >= 200 && res.status < 300) return res;
      throw this.failure(spec, res);
    });
  }

  private failure(spec: RequestSpec, res: ApiResponse<unknown>): GenesysApiError {
    const body = (res.data ?? {}) as { message?: string; code?: string };
    const code = typeof body.code === "string" ? body.code : undefined;
    const serverMessage = typeof body.message === "string" ? body.message : "";
    let message: string;
    if (res.status >= 300 && res.status < 400) {
      message = `${spec.operation} failed: the API answered with a redirect (${res.status}), which is not followed so credentials never leave the configured host; check genesys:apiUrl / region`;
    } else {
      message =
        `${spec.operation} failed: ${res.status}${code ? ` ${code}` : ""}` +
        (serverMessage ? ` - ${serverMessage}` : "") +
        `; ${hintFor(res.status, code, spec.path)}` +
        (res.correlationId ? ` (correlation id ${res.correlationId})` : "");
    }
    return new GenesysApiError(message, {
      operation: spec.operation,
      method: spec.method,
      path: spec.path,
      status: res.status,
      code,
      correlationId: res.correlationId,
      attempts: res.attempts,
    });
  }

  private unresolvedHost(spec: RequestSpec, baseUrl: string, attempts: number): GenesysApiError {
    const defaults = { apiUrl: "genesys:apiUrl / genesys:region", authUrl: "genesys:authUrl / genesys:apiUrl / genesys:region" };
    const settings = this.opts.settingOf ?? defaults;
    const setting = baseUrl === this.opts.authUrl && baseUrl !== this.opts.apiUrl ? settings.authUrl : settings.apiUrl;
    return new GenesysApiError(
      `${spec.operation} failed: the host ${hostOf(baseUrl)} does not resolve (ENOTFOUND); ` +
        `check ${setting} (a typo, or a region name where a domain was meant) and that the host resolves from where Pulumi runs`,
      { operation: spec.operation, method: spec.method, path: spec.path, code: "ENOTFOUND", attempts },
    );
  }

  /**
   * Sends one logical call with retries. Returns the final response (any status) or throws when
   * no response could be had within the policy, or when a non-idempotent write has an unknown outcome.
   */
  private async send<T>(
    spec: RequestSpec,
    baseUrl: string,
    headers: Record<string, string>,
    body: unknown,
    gate: PacingGate,
  ): Promise<ApiResponse<T>> {
    const idempotent = spec.idempotent ?? spec.method !== "POST";
    const started = this.now();
    let attempts = 0;
    const made = { errors: 0, throttled: 0 };
    for (;;) {
      const release = await gate.acquire();
      attempts++;
      this.stats.attempts++;
      let outcome: AttemptOutcome;
      let response: AxiosResponse | undefined;
      try {
        const res: AxiosResponse = await this.http.request({
          method: spec.method,
          url: baseUrl + spec.path,
          params: spec.query,
          data: body,
          headers: body !== undefined && typeof body !== "string" ? { ...headers, "Content-Type": "application/json" } : headers,
        });
        response = res;
        outcome = { kind: "response", status: res.status, retryAfter: headerOf(res, "retry-after") };
      } catch (err) {
        outcome = { kind: "network", code: networkCode(err) };
      } finally {
        release();
      }
      if (outcome.kind === "response" && outcome.status < 400) gate.succeeded();

      // A name that does not exist will not exist in a few seconds either: retrying only delays
      // the one fix (the setting), and nothing was sent, so even a POST has a known outcome.
      if (outcome.kind === "network" && outcome.code === "ENOTFOUND") throw this.unresolvedHost(spec, baseUrl, attempts);

      const correlationId = response ? headerOf(response, "inin-correlation-id") : undefined;
      const retryable = isRetryable(outcome, idempotent);
      if (!retryable) {
        if (outcome.kind === "network" || (response && response.status >= 500 && !idempotent)) {
          throw new GenesysApiError(
            `${spec.operation} failed: ${describe(outcome)} and the outcome is unknown, so it was not sent again blindly` +
              (correlationId ? ` (correlation id ${correlationId})` : ""),
            {
              operation: spec.operation,
              method: spec.method,
              path: spec.path,
              status: response?.status,
              code: outcome.kind === "network" ? outcome.code : undefined,
              correlationId,
              attempts,
              outcomeUnknown: true,
            },
          );
        }
        return { status: response!.status, data: response!.data as T, correlationId, attempts };
      }

      const elapsed = this.now() - started;
      if (isThrottle(outcome)) made.throttled++;
      else made.errors++;
      let delay = retryDelayMs(outcome, made.errors, this.policy, this.random, this.now());
      if (outcome.kind === "response" && outcome.status === 429) {
        this.stats.throttled++;
        gate.throttled(this.now() + delay);
      }
      delay = Math.max(delay, gate.remaining());
      const giveUp = attemptsExhausted(made, this.policy) || delay > this.policy.retryAfterCapMs || elapsed + delay > this.policy.budgetMs;
      if (giveUp) {
        if (response) return { status: response.status, data: response.data as T, correlationId, attempts };
        throw new GenesysApiError(
          `${spec.operation} failed: ${describe(outcome)}; gave up after ${attempts} attempts in ${Math.round(elapsed / 1000)} s ` +
            `(retry budget ${Math.round(this.policy.budgetMs / 1000)} s); ${hintFor(undefined, undefined)}`,
          {
            operation: spec.operation,
            method: spec.method,
            path: spec.path,
            code: outcome.kind === "network" ? outcome.code : undefined,
            attempts,
          },
        );
      }
      this.stats.retries++;
      await this.sleep(delay);
    }
  }
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

function record(trace: CallTrace | undefined, attempts: number, correlationId: string | undefined): void {
  if (!trace) return;
  trace.attempts += attempts;
  // Every attempt of one call after its first was a resend (a retry, or the one re-authentication).
  trace.retries += Math.max(0, attempts - 1);
  if (correlationId) trace.correlationIds.push(correlationId);
}

function headerOf(res: AxiosResponse, name: string): string | undefined {
  const value = res.headers?.[name];
  return typeof value === "string" ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

function networkCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? code : "ENETWORK";
}

function describe(outcome: AttemptOutcome): string {
  if (outcome.kind === "response") return `HTTP ${outcome.status}`;
  switch (outcome.code) {
    case "ECONNABORTED":
    case "ETIMEDOUT":
      return "no response before the timeout";
    case "ECONNRESET":
    case "EPIPE":
      return "the connection was reset";
    case "ECONNREFUSED":
      return "the connection was refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the API host name did not resolve";
    default:
      return `a network error (${outcome.code})`;
  }
}
