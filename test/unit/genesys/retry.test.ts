import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY_POLICY,
  attemptsExhausted,
  callEnd,
  givesUp,
  isRetryable,
  isThrottle,
  parseRetryAfter,
  retryDelayMs,
  tally,
} from "../../../provider/genesys/retry";

describe("retry policy", () => {
  it("reads Retry-After as delta seconds", () => {
    expect(parseRetryAfter("3")).toBe(3000);
    expect(parseRetryAfter("0.5")).toBe(500);
  });

  it("reads Retry-After as an HTTP date relative to now", () => {
    const now = Date.parse("2026-11-28T12:00:00Z");
    expect(parseRetryAfter("Sat, 28 Nov 2026 12:00:04 GMT", now)).toBe(4000);
    expect(parseRetryAfter("Sat, 28 Nov 2026 11:59:00 GMT", now)).toBe(0);
  });

  it("ignores an unusable Retry-After so the fallback applies", () => {
    expect(parseRetryAfter("soon")).toBeUndefined();
    expect(retryDelayMs({ kind: "response", status: 429, retryAfter: "soon" }, 1, DEFAULT_RETRY_POLICY)).toBe(
      DEFAULT_RETRY_POLICY.fallbackRetryAfterMs,
    );
  });

  it("waits exactly as long as a 429 or 503 asks", () => {
    expect(retryDelayMs({ kind: "response", status: 429, retryAfter: "7" }, 1, DEFAULT_RETRY_POLICY)).toBe(7000);
    expect(retryDelayMs({ kind: "response", status: 503, retryAfter: "2" }, 3, DEFAULT_RETRY_POLICY)).toBe(2000);
  });

  it("backs off with full jitter under an exponential ceiling for 5xx and network errors", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(retryDelayMs({ kind: "response", status: 500 }, 1, policy, () => 0.999)).toBe(99);
    expect(retryDelayMs({ kind: "response", status: 500 }, 3, policy, () => 0.999)).toBe(399);
    expect(retryDelayMs({ kind: "network", code: "ECONNRESET" }, 10, policy, () => 0.999)).toBe(999);
    expect(retryDelayMs({ kind: "network", code: "ECONNRESET" }, 10, policy, () => 0)).toBe(0);
  });

  it("never retries 400, 401, 403, 404 or 409", () => {
    for (const status of [400, 401, 403, 404, 409]) expect(isRetryable({ kind: "response", status }, true)).toBe(false);
  });

  it("retries throttling for any method but 5xx and lost responses only for idempotent calls", () => {
    expect(isRetryable({ kind: "response", status: 429 }, false)).toBe(true);
    expect(isRetryable({ kind: "response", status: 503 }, false)).toBe(true);
    expect(isRetryable({ kind: "response", status: 500 }, true)).toBe(true);
    expect(isRetryable({ kind: "response", status: 500 }, false)).toBe(false);
    expect(isRetryable({ kind: "network", code: "ECONNRESET" }, true)).toBe(true);
    expect(isRetryable({ kind: "network", code: "ECONNRESET" }, false)).toBe(false);
  });
  it("counts throttled attempts apart from errors, so a run of 429s does not use up the attempts kept for errors", () => {
    const policy = DEFAULT_RETRY_POLICY;
    expect(isThrottle({ kind: "response", status: 429 })).toBe(true);
    expect(isThrottle({ kind: "response", status: 503 })).toBe(true);
    expect(isThrottle({ kind: "response", status: 500 })).toBe(false);
    expect(isThrottle({ kind: "network", code: "ECONNRESET" })).toBe(false);
    // A quarter of calls throttled makes runs longer than maxAttempts routine over a deployment.
    expect(attemptsExhausted({ errors: 1, throttled: policy.maxAttempts + 2 }, policy)).toBe(false);
    expect(attemptsExhausted({ errors: policy.maxAttempts, throttled: 0 }, policy)).toBe(true);
    expect(attemptsExhausted({ errors: 0, throttled: policy.maxThrottledAttempts }, policy)).toBe(true);
    expect(policy.maxThrottledAttempts).toBeGreaterThanOrEqual(4 * policy.maxAttempts);
  });

  it("never retries a host name that does not resolve, even for an idempotent call", () => {
    expect(isRetryable({ kind: "network", code: "ENOTFOUND" }, true)).toBe(false);
    expect(isRetryable({ kind: "network", code: "EAI_AGAIN" }, true)).toBe(true);
  });

  it("ends a call it does not retry with the answer, an unresolved host, or an unknown outcome", () => {
    expect(callEnd({ kind: "response", status: 404 }, true)).toBe("answer");
    expect(callEnd({ kind: "response", status: 500 }, false)).toBe("unknown-outcome");
    expect(callEnd({ kind: "network", code: "ECONNRESET" }, false)).toBe("unknown-outcome");
    expect(callEnd({ kind: "network", code: "ENOTFOUND" }, false)).toBe("unresolved-host");
  });

  it("gives up on attempts, on a wait over the cap, or on a wait past the time budget", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, retryAfterCapMs: 10_000, budgetMs: 60_000 };
    const made = tally(tally({ errors: 0, throttled: 0 }, { kind: "response", status: 429 }), { kind: "response", status: 500 });
    expect(made).toEqual({ errors: 1, throttled: 1 });
    expect(givesUp(made, 10_000, 50_000, policy)).toBe(false);
    expect(givesUp(made, 10_001, 0, policy)).toBe(true);
    expect(givesUp(made, 5_000, 55_001, policy)).toBe(true);
    expect(givesUp({ errors: policy.maxAttempts, throttled: 0 }, 0, 0, policy)).toBe(true);
  });
});
