/**
 * The pacing wrapper: each attempt waits for a grant of its host's gate (pacing.ts: the stated
 * rate, the server's pauses, and in team mode the shared budget) and tells the gate how it went,
 * so the next attempts of every caller of that host slow down or speed up together.
 */
import type { PacingGate } from "./pacing";
import { type RetryPolicy, throttleDelayMs } from "./retry";
import type { Send } from "./send";

export function withPacing(send: Send, gate: PacingGate, opts: { policy: RetryPolicy; now: () => number }): Send {
  return async (req) => {
    // Rejects, holding nothing, when team mode's shared budget cannot be consulted (fails closed).
    const release = await gate.acquire();
    let attempt;
    try {
      attempt = await send(req);
    } finally {
      release();
    }
    const { outcome } = attempt;
    if (outcome.kind === "response" && outcome.status < 400) gate.succeeded();
    if (outcome.kind === "response" && outcome.status === 429) {
      gate.throttled(opts.now() + throttleDelayMs(outcome.retryAfter, opts.policy, opts.now()));
    }
    return { ...attempt, pauseMs: gate.remaining() };
  };
}
