/**
 * What the transport counts, kept apart from what it does: the process's statistics per attempt
 * (a wrapper around the single send) and the caller's trace per call (for the audit record's
 * attempts, retries and correlation ids).
 */
import type { ApiResponse, CallTrace } from "./call";
import { GenesysApiError } from "./errors";
import type { Send } from "./send";

export interface TransportStats {
  tokenRequests: number;
  attempts: number;
  retries: number;
  throttled: number;
}

export function newStats(): TransportStats {
  return { tokenRequests: 0, attempts: 0, retries: 0, throttled: 0 };
}

/** Counts attempts that went out (granted by the gate), resends, and 429s. */
export function withStats(send: Send, stats: TransportStats): Send {
  return async (req) => {
    if (req.attempt > 1) stats.retries++;
    const attempt = await send(req);
    stats.attempts++;
    if (attempt.outcome.kind === "response" && attempt.outcome.status === 429) stats.throttled++;
    return attempt;
  };
}

/** Runs one call and adds its attempts and correlation id to `trace`, whether it succeeds or fails. */
export async function traced<T>(trace: CallTrace | undefined, call: () => Promise<ApiResponse<T>>): Promise<ApiResponse<T>> {
  try {
    const res = await call();
    record(trace, res.attempts, res.correlationId);
    return res;
  } catch (err) {
    if (err instanceof GenesysApiError) record(trace, err.details.attempts, err.correlationId);
    throw err;
  }
}

function record(trace: CallTrace | undefined, attempts: number, correlationId: string | undefined): void {
  if (!trace) return;
  trace.attempts += attempts;
  // Every attempt of one call after its first was a resend (a retry, or the one re-authentication).
  trace.retries += Math.max(0, attempts - 1);
  if (correlationId) trace.correlationIds.push(correlationId);
}
