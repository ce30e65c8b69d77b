/**
 * Checks that a delivery really comes from the holder of the webhook secret and is fresh: the
 * signature over "timestamp.rawBody", and a timestamp inside the 5-minute window (in the past or
 * the future, since clocks drift both ways). What the delivery then does to the pool is pool.ts's
 * business.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const TIMESTAMP_TOLERANCE_SECONDS = 300;

export type Verdict = { ok: true } | { ok: false; status: number; reason: "signature" | "timestamp" | "malformed timestamp" };

function expectedSignature(secret: string, timestamp: string, rawBody: string): string {
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
  nowSeconds: number;
}): Verdict {
  if (!opts.timestamp || !/^\d{1,12}$/.test(opts.timestamp)) return { ok: false, status: 400, reason: "malformed timestamp" };
  if (Math.abs(opts.nowSeconds - Number(opts.timestamp)) > TIMESTAMP_TOLERANCE_SECONDS)
    return { ok: false, status: 401, reason: "timestamp" };
  if (opts.secret !== undefined) {
    if (!opts.signature) return { ok: false, status: 401, reason: "signature" };
    if (!safeEqual(opts.signature, expectedSignature(opts.secret, opts.timestamp, opts.rawBody)))
      return { ok: false, status: 401, reason: "signature" };
  }
  return { ok: true };
}
