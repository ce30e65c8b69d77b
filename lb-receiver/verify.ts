/**
 * Checks one webhook delivery the way a load balancer must before acting on it: the signature
 * over "timestamp.rawBody", a timestamp inside the 5-minute window, and a delivery id it has not
 * handled before (senders retry, so repeats are normal and must be harmless).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const TIMESTAMP_TOLERANCE_SECONDS = 300;

export type Verdict = { ok: true } | { ok: false; status: number; reason: "signature" | "timestamp" | "malformed" };

export function sign(secret: string, timestamp: string, rawBody: string): string {
  return "sha256=" + createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex");
}

/** Constant-time comparison that also copes with inputs of different lengths. */
function safeEqual(a: string, b: string): boolean {
  const left = createHmac("sha256", "compare").update(a).digest();
  const right = createHmac("sha256", "compare").update(b).digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

export function verifyDelivery(opts: {
  secret?: string;
  rawBody: string;
  signature?: string;
  timestamp?: string;
  nowSeconds?: number;
}): Verdict {
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (!opts.timestamp || !/^\d+$/.test(opts.timestamp)) return { ok: false, status: 400, reason: "malformed" };
  if (Math.abs(now - Number(opts.timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, status: 401, reason: "timestamp" };
  if (opts.secret !== undefined) {
    if (!opts.signature) return { ok: false, status: 401, reason: "signature" };
    if (!safeEqual(opts.signature, sign(opts.secret, opts.timestamp, opts.rawBody))) return { ok: false, status: 401, reason: "signature" };
  }
  return { ok: true };
}

/** Delivery ids seen recently; older ones cannot come back because their timestamp went stale. */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs = 2 * TIMESTAMP_TOLERANCE_SECONDS * 1000) {}
  /** Returns false when the id was already handled. */
  firstTime(id: string, now = Date.now()): boolean {
    for (const [key, at] of this.seen) {
      if (now - at <= this.windowMs) break; // insertion order = time order
      this.seen.delete(key);
    }
    if (this.seen.has(id)) return false;
    this.seen.set(id, now);
    return true;
  }
  /** Lets a delivery that could not be acted on be handled when the sender retries it. */
  forget(id: string): void {
    this.seen.delete(id);
  }
}
