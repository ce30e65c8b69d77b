/**
 * Every resource's lifecycle bound to a runtime context: the dynamic provider's (one per process,
 * from stack config) and each provider instance of the plugin (provider/plugin) run the same code
 * through it. The resources come from provider/resources/index.ts, so no kind is named here.
 */
import * as RESOURCES from "../resources";
import type { Lifecycle, Props } from "../resources/definition";
import type { RuntimeContext } from "./context";

export type ResourceKind = keyof typeof RESOURCES;

type Result<M extends keyof Lifecycle> = Awaited<ReturnType<Lifecycle[M]>>;

/** The six operations of one resource kind, as the engine calls them (the dynamic provider's shapes). */
export interface EngineLifecycle {
  check(olds: Props, news: Props): Promise<Result<"check">>;
  diff(id: string, olds: Props, news: Props): Promise<Result<"diff">>;
  create(inputs: Props): Promise<Result<"create">>;
  read(id: string, props: Props): Promise<Result<"read">>;
  update(id: string, olds: Props, news: Props): Promise<Result<"update">>;
  delete(id: string, props: Props): Promise<void>;
}

/** One lifecycle, each call run in the context `ctx()` gives at that moment. */
export function bindLifecycle(lifecycle: Lifecycle, ctx: () => RuntimeContext): EngineLifecycle {
  return {
    check: async (olds, news) => lifecycle.check(ctx(), olds, news),
    diff: async (id, olds, news) => lifecycle.diff(id, olds, news),
    create: async (inputs) => lifecycle.create(ctx(), inputs),
    read: async (id, props) => lifecycle.read(ctx(), id, props),
    update: async (id, olds, news) => lifecycle.update(ctx(), id, olds, news),
    delete: async (id, props) => lifecycle.delete(ctx(), id, props),
  };
}

/** Every resource kind's lifecycle, bound to `ctx`. */
export function lifecycles(ctx: () => RuntimeContext): Record<ResourceKind, EngineLifecycle> {
  const table = {} as Record<ResourceKind, EngineLifecycle>;
  for (const definition of Object.values(RESOURCES)) table[definition.kind] = bindLifecycle(definition.lifecycle, ctx);
  return table;
}
