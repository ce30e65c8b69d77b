/**
 * The provider's implementation as the Pulumi engine reaches it for dynamic resources. The small
 * provider objects that Pulumi serialises into the state only load this module by name and delegate
 * to it, so the state stays small and `read`/`delete` of old resources run the code installed today.
 * The provider plugin (provider/plugin) serves the same lifecycles (lifecycles.ts) for its own
 * provider instances.
 *
 * States name what they need of it: `configure`, and one property per resource kind with the six
 * engine methods (`require(".../runtime")[kind].check(...)`), so its shape must not change.
 */
import { makeStringScrubber, scrubError } from "../audit/redact";
import { secretsOf } from "../config";
import { configureFromSource, configuredContext, currentContext } from "./context";
import { type EngineLifecycle, type ResourceKind, lifecycles } from "./lifecycles";

/**
 * The scrubber for errors on their way to the engine: the configured stack's secrets, plus the
 * credential patterns. Before a configuration loads (its own errors) only the patterns apply.
 */
function engineScrubber(): (s: string) => string {
  const ctx = configuredContext();
  return makeStringScrubber(ctx ? secretsOf(ctx.config) : []);
}

/**
 * Every method the engine calls goes through here, so no error reaches the engine's text (the CLI's
 * diagnostics, its logs) with a secret in its message or stack, whichever layer made it.
 */
function toEngine<A extends unknown[], R>(method: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await method(...args);
    } catch (err) {
      throw scrubError(err, engineScrubber());
    }
  };
}

/** Wraps every method of one resource kind's lifecycle (see toEngine). */
function engineFacing(lifecycle: EngineLifecycle): EngineLifecycle {
  return {
    check: toEngine(lifecycle.check),
    diff: toEngine(lifecycle.diff),
    create: toEngine(lifecycle.create),
    read: toEngine(lifecycle.read),
    update: toEngine(lifecycle.update),
    delete: toEngine(lifecycle.delete),
  };
}

function configure(config: { get(key: string): string | undefined }): void {
  try {
    configureFromSource((key) => config.get(key));
  } catch (err) {
    throw scrubError(err, engineScrubber());
  }
}

// The dynamic provider's process has one configuration (the stack's), set by `configure`.
const dynamic = lifecycles(currentContext);
const engine = {} as Record<ResourceKind, EngineLifecycle>;
for (const [kind, lifecycle] of Object.entries(dynamic) as [ResourceKind, EngineLifecycle][]) engine[kind] = engineFacing(lifecycle);

export = { configure, ...engine };
