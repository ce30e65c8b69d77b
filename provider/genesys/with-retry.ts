/**
 * The retry wrapper: turns single attempts into one call. It resends what the policy (retry.ts)
 * allows, waits what the policy and the host's shared pause ask, and ends the call with its final
 * answer (any status) or an error when no answer could be had, when a write's outcome is unknown,
 * when the host does not resolve, or when its address is one the provider refuses to connect to.
 */
import type { ApiResponse, CallSpec } from "./call";
import { gaveUp, refusedAddress, unknownOutcome, unresolvedHost } from "./failures";
import { type AttemptCounts, type RetryPolicy, callEnd, givesUp, isRetryable, retryDelayMs, tally } from "./retry";
import type { Attempt, Send } from "./send";

/** One request options type for every call the provider makes, to Genesys or to a user's host. */
export interface CallRequest {
  spec: CallSpec;
  baseUrl: string;
  /** Fixed headers, or headers made for each attempt (a signature over that attempt's timestamp). */
  headers: Record<string, string> | ((attempt: number) => Record<string, string>);
  body?: unknown;
}

export type Call = <T>(req: CallRequest) => Promise<ApiResponse<T>>;

export interface RetryOptions {
  policy: RetryPolicy;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  /** The stack setting(s) that chose this host, named when it does not resolve. */
  hostSetting: string;
}

export function withRetry(send: Send, opts: RetryOptions): Call {
  return async <T>(req: CallRequest): Promise<ApiResponse<T>> => {
    const { spec } = req;
    const idempotent = spec.idempotent ?? spec.method !== "POST";
    const started = opts.now();
    let made: AttemptCounts = { errors: 0, throttled: 0 };
    for (let attempts = 1; ; attempts++) {
      const {
        outcome,
        response,
        pauseMs = 0,
      }: Attempt = await send({
        method: spec.method,
        url: req.baseUrl + spec.path,
        query: spec.query,
        body: req.body,
        headers: typeof req.headers === "function" ? req.headers(attempts) : req.headers,
        attempt: attempts,
      });
      if (!isRetryable(outcome, idempotent)) {
        const end = callEnd(outcome, idempotent);
        if (end === "unresolved-host") throw unresolvedHost(spec, req.baseUrl, opts.hostSetting, attempts);
        if (end === "refused-address") throw refusedAddress(spec, outcome, attempts);
        if (end === "unknown-outcome") throw unknownOutcome(spec, outcome, response, attempts);
        return answer<T>(response!, attempts);
      }
      const elapsed = opts.now() - started;
      made = tally(made, outcome);
      // Never earlier than the pause every caller of the host shares (a 429 seen by any of them).
      const delay = Math.max(retryDelayMs(outcome, made.errors, opts.policy, opts.random, opts.now()), pauseMs);
      if (givesUp(made, delay, elapsed, opts.policy)) {
        if (response) return answer<T>(response, attempts);
        throw gaveUp(spec, outcome, attempts, elapsed, opts.policy);
      }
      await opts.sleep(delay);
    }
  };
}

function answer<T>(response: NonNullable<Attempt["response"]>, attempts: number): ApiResponse<T> {
  return { status: response.status, data: response.data as T, correlationId: response.correlationId, attempts };
}
