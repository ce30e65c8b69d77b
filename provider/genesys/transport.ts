/**
 * The one place HTTP happens, composed the way Octokit's plugins are: a single send (send.ts: one
 * attempt, its outcome classified), wrapped by the host's pacing gate (with-pacing.ts), by the
 * counting of statistics (recording.ts) and by the retry policy (with-retry.ts, retry.ts). On top,
 * this file adds what only an authenticated client knows: a bearer token from the token pool, one
 * transparent re-authentication on 401, the call's trace for the audit trail, and errors that name
 * the operation, status, Genesys code and correlation id without ever carrying credentials.
 *
 * Calls to a host a user named (a load balancer's callback) go through the same single send and
 * retry wrapper, with no token and no Genesys pacing, and connect only to addresses the provider's
 * SSRF rules allow, judged at connection time on every attempt (outboundCall below).
 *
 * Token requests go to the login host, which Genesys limits apart from the API host: they have a
 * gate of their own (it still respects the login host's 429s) and never draw from the API host's
 * pacing or from team mode's shared budget.
 */
import type { LookupFunction } from "node:net";
import type { ApiResponse, CallSpec, CallTrace } from "./call";
import { type TokenAnswer, responseFailure, tokenRefused } from "./failures";
import type { Endpoints } from "./hosts";
import { type PacingGate, loginGateFor, pacingGateFor } from "./pacing";
import { sharedBudgetFor } from "./coordination";
import { PATHS } from "./paths";
import { type TransportStats, newStats, traced, withStats } from "./recording";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry";
import { createSend, type Send } from "./send";
import { type FetchedToken, TokenPool, type TokenSlot } from "./token-pool";
import { type Call, withRetry } from "./with-retry";
import { withPacing } from "./with-pacing";

export type { ApiResponse, CallTrace } from "./call";
export type { TransportStats } from "./recording";

export interface RequestSpec extends CallSpec {
  body?: unknown;
  /** Collects attempts and correlation ids across calls, for the audit trail. */
  trace?: CallTrace;
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

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const TOKEN_CALL: CallSpec = { operation: "obtain an OAuth token", method: "POST", path: PATHS.token, idempotent: true };

export class Transport {
  readonly stats: TransportStats = newStats();
  private readonly policy: RetryPolicy;
  private readonly now: () => number;
  private readonly send: Send;
  private readonly pool: TokenPool;
  private readonly login: Call;
  /** The API call of each token slot, through that slot's gate. */
  private readonly apiCalls: Call[] = [];
  private readonly settings: { apiUrl: string; authUrl: string };

  constructor(private readonly opts: TransportOptions) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.policy };
    this.now = opts.now ?? Date.now;
    this.send = createSend({ timeoutMs: this.policy.timeoutMs });
    const defaults = { apiUrl: "genesys:apiUrl / genesys:region", authUrl: "genesys:authUrl / genesys:apiUrl / genesys:region" };
    this.settings = opts.settingOf ?? defaults;
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
    // Where login and API share a host (the emulator, an explicit apiUrl), its setting is apiUrl's.
    const loginSetting = opts.authUrl !== opts.apiUrl ? this.settings.authUrl : this.settings.apiUrl;
    this.login = this.calls(loginGateFor(opts.authUrl), loginSetting);
    this.pool = new TokenPool({
      size: opts.tokenPoolSize ?? 1,
      fetch: () => this.fetchToken(),
      // Slot 0 keeps the host's process-wide gate; every further token has a gate of its own.
      gateFor: (i) => pacingGateFor(i === 0 ? opts.apiUrl : `${opts.apiUrl}#token-${i}`, undefined, opts.maxRequestsPerSecond, budget),
      now: this.now,
    });
  }

  /** The (first) access token, fetched once and shared by every concurrent caller, renewed ahead of expiry. */
  accessToken(): Promise<string> {
    return this.pool.primary.token();
  }

  /** An authenticated API call. */
  request<T>(spec: RequestSpec): Promise<ApiResponse<T>> {
    return traced(spec.trace, () => this.pool.run((slot) => this.authenticated<T>(spec, slot)));
  }

  /** Single send, paced by `gate`, counted, retried by the policy. */
  private calls(gate: PacingGate, hostSetting: string): Call {
    const paced = withPacing(this.send, gate, { policy: this.policy, now: this.now });
    return withRetry(withStats(paced, this.stats), {
      policy: this.policy,
      sleep: this.opts.sleep ?? realSleep,
      random: this.opts.random ?? Math.random,
      now: this.now,
      hostSetting,
    });
  }

  private async authenticated<T>(spec: RequestSpec, slot: TokenSlot): Promise<ApiResponse<T>> {
    const call = (this.apiCalls[slot.index] ??= this.calls(slot.gate, this.settings.apiUrl));
    const callWith = (token: string) =>
      call<T>({ spec, baseUrl: this.opts.apiUrl, headers: { Authorization: `Bearer ${token}` }, body: spec.body });
    let token = await slot.token();
    let res = await callWith(token);
    if (res.status === 401) {
      // The token expired or was revoked between our check and the server's: renew once.
      slot.invalidate(token);
      token = await slot.token();
      const again = await callWith(token);
      res = { ...again, attempts: res.attempts + again.attempts };
    }
    if (res.status >= 200 && res.status < 300) return res;
    throw responseFailure(spec, res);
  }

  private async fetchToken(): Promise<FetchedToken> {
    const form = new URLSearchParams({ grant_type: "client_credentials" }).toString();
    const basic = Buffer.from(`${this.opts.clientId}:${this.opts.clientSecret}`).toString("base64");
    const res = await this.login<TokenAnswer | undefined>({
      spec: TOKEN_CALL,
      baseUrl: this.opts.authUrl,
      headers: { Authorization: `Basic ${basic}`, "Content-Type": "application/x-www-form-urlencoded" },
      body: form,
    });
    this.stats.tokenRequests++;
    const token = res.data?.access_token;
    if (res.status !== 200 || typeof token !== "string") throw tokenRefused(TOKEN_CALL, res);
    // The pool renews it ahead of expiry, so no call goes out with a token about to expire in flight.
    return { value: token, lifetimeMs: (res.data?.expires_in ?? 3600) * 1000 };
  }
}

export interface OutboundOptions {
  /** Resolves and judges each connection's host (validation/checked-lookup.ts's checkedLookup). */
  lookup: LookupFunction;
  policy: RetryPolicy;
  /** The input that named the host, for an error when it does not resolve. */
  hostSetting: string;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/**
 * A call to a host a user named: the one single send and retry wrapper, connecting only to what
 * `lookup` allows. The hook runs for every connection, so a name whose answer changes between the
 * check and a retry is judged again at that retry.
 */
export function outboundCall(opts: OutboundOptions): Call {
  return withRetry(createSend({ timeoutMs: opts.policy.timeoutMs, lookup: opts.lookup }), {
    policy: opts.policy,
    sleep: opts.sleep ?? realSleep,
    random: opts.random ?? Math.random,
    now: opts.now ?? Date.now,
    hostSetting: opts.hostSetting,
  });
}
