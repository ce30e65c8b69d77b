/**
 * Retry policy as data, and the pure functions that apply it. The retry wrapper (with-retry.ts)
 * asks these questions (may I retry? if not, how does the call end? how long do I wait? do I give
 * up?) and holds no policy of its own, so tests can set delays to a millisecond and production can
 * tune budgets without touching control flow.
 */
import { ADDRESS_REFUSED } from "../validation/checked-lookup";

export interface RetryPolicy {
  /** Attempts per call that may fail with an error (5xx, timeout, reset), the first one included. */
  maxAttempts: number;
  /**
   * Attempts per call that the server may refuse with 429 or 503. Those are refused before any
   * processing and say when to come back, and under sustained throttling (a quarter of all calls
   * refused is ordinary for a busy org) runs of them are common: counted against maxAttempts they
   * failed whole deployments. The time budget is what bounds them; this only stops a server that
   * never lets the call through.
   */
  maxThrottledAttempts: number;
  /** Base of the full-jitter exponential backoff for 5xx, timeouts and resets. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Wait used for a 429/503 that carries no usable Retry-After. */
  fallbackRetryAfterMs: number;
  /** Longest Retry-After we honour; a server asking for longer fails the call instead. */
  retryAfterCapMs: number;
  /** Total time one call may spend, waits included, so a dead API fails in bounded time. */
  budgetMs: number;
  /** Per-attempt socket timeout. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  // Eight attempts under full jitter (ceilings 0.25, 0.5, 1, 2, 4, 8, 8 s) ride out an API that
  // restarts for up to about 10-20 s; the time budget still bounds a dead one.
  maxAttempts: 8,
  maxThrottledAttempts: 40,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  fallbackRetryAfterMs: 2_000,
  retryAfterCapMs: 60_000,
  budgetMs: 120_000,
  timeoutMs: 15_000,
};

/** What happened to one attempt, as far as the retry decision is concerned. */
export type AttemptOutcome =
  | { kind: "response"; status: number; retryAfter?: string }
  // Timeout, reset, refused: no response. `reason` is set when the provider itself refused the address.
  | { kind: "network"; code: string; reason?: string };

const NEVER_RETRIED = new Set([400, 401, 403, 404, 409, 422]);

/**
 * Network failures a retry cannot help: a name that does not exist will not exist in a few seconds
 * either, so retrying only delays the one fix (the setting), and nothing was sent. The same holds
 * for an address the provider's own rules refused (checked-lookup.ts): no connection was made.
 */
const NEVER_RETRIED_CODES = new Set(["ENOTFOUND", ADDRESS_REFUSED]);

/** Parses Retry-After in either of its forms (delta-seconds or HTTP-date) to milliseconds. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Whether an attempt may be sent again. A write that may have been applied (no response, or a
 * 5xx, to a non-idempotent call) is never resent blindly: the caller must first find out whether
 * it took effect.
 */
export function isRetryable(outcome: AttemptOutcome, idempotent: boolean): boolean {
  if (outcome.kind === "network") return idempotent && !NEVER_RETRIED_CODES.has(outcome.code);
  const { status } = outcome;
  if (NEVER_RETRIED.has(status)) return false;
  if (status === 429) return true; // refused before processing: safe for any method
  if (status === 503) return true; // Genesys sheds load before processing
  if (status >= 500) return idempotent;
  return false;
}

/**
 * How a call ends on an attempt that is not retried: with the answer it got, with "the host does
 * not resolve" (nothing was sent, so even a POST has a known outcome), or with "the outcome is
 * unknown" (a write may have been applied: no answer, or a 5xx to a non-idempotent call).
 */
export function callEnd(
  outcome: AttemptOutcome,
  idempotent: boolean,
): "answer" | "unresolved-host" | "refused-address" | "unknown-outcome" {
  if (outcome.kind === "network") {
    if (outcome.code === ADDRESS_REFUSED) return "refused-address";
    return NEVER_RETRIED_CODES.has(outcome.code) ? "unresolved-host" : "unknown-outcome";
  }
  return outcome.status >= 500 && !idempotent ? "unknown-outcome" : "answer";
}

/** The server's "come back later": refused before processing, with a time to come back. */
export function isThrottle(outcome: AttemptOutcome): boolean {
  return outcome.kind === "response" && (outcome.status === 429 || outcome.status === 503);
}

/** Attempts made so far by one call, split by what they ran into. */
export interface AttemptCounts {
  errors: number;
  throttled: number;
}

/** The counts after one more retryable attempt. */
export function tally(made: AttemptCounts, outcome: AttemptOutcome): AttemptCounts {
  return isThrottle(outcome) ? { ...made, throttled: made.throttled + 1 } : { ...made, errors: made.errors + 1 };
}

/** Whether the attempts made so far use up the policy (the time budget is checked separately). */
export function attemptsExhausted(made: AttemptCounts, policy: RetryPolicy): boolean {
  return made.errors >= policy.maxAttempts || made.throttled >= policy.maxThrottledAttempts;
}

/**
 * Whether a call stops instead of waiting `delayMs` for its next attempt: attempts used up, a wait
 * longer than the server may ask for, or a wait that would overrun the call's time budget.
 */
export function givesUp(made: AttemptCounts, delayMs: number, elapsedMs: number, policy: RetryPolicy): boolean {
  return attemptsExhausted(made, policy) || delayMs > policy.retryAfterCapMs || elapsedMs + delayMs > policy.budgetMs;
}

/** The wait a 429 or 503 asks for: its Retry-After, or the policy's fallback when it gives none usable. */
export function throttleDelayMs(retryAfter: string | undefined, policy: RetryPolicy, now: number = Date.now()): number {
  return parseRetryAfter(retryAfter, now) ?? policy.fallbackRetryAfterMs;
}

/** How long to wait before the next attempt (attempt = the number of attempts already made). */
export function retryDelayMs(
  outcome: AttemptOutcome,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
  now: number = Date.now(),
): number {
  if (outcome.kind === "response" && isThrottle(outcome)) return throttleDelayMs(outcome.retryAfter, policy, now);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
