/** The one wait of every lifecycle for an object to reach a state (Active, gone, a healthy probe). */
import type { RuntimeContext } from "./context";

/** Polls `probe` every healthPollIntervalMs until it returns a value or the deadline passes. */
export async function pollUntil<T>(
  ctx: RuntimeContext,
  probe: () => Promise<T | undefined>,
  timeoutSeconds: number = ctx.config.healthTimeoutSeconds,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() + ctx.config.healthPollIntervalMs > deadline) return undefined;
    await ctx.sleep(ctx.config.healthPollIntervalMs);
  }
}
