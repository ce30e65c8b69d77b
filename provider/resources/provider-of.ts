/**
 * The provider object Pulumi serialises into the state for one resource kind, in both its forms:
 * `provider/resources/<kind>/provider.ts` is `export = providerOf("<kind>", ...)`, stored by
 * reference (`require("genesys-webmessaging-pulumi/providers/<kind>")`, a few hundred bytes), and
 * the loader's inline fallback, stored by value. Its methods close over `kind` and `load` only, so
 * the serialised code is these few lines, and both forms run the runtime installed when they run.
 * `load` is called inside each method so the program process, which only serialises this object,
 * never loads the runtime.
 */
import type * as pulumi from "@pulumi/pulumi";

type Props = Record<string, unknown>;

/** What the provider object needs of provider/runtime (index.ts): `configure` and one lifecycle per kind. */
export interface RuntimeModule {
  configure(config: { get(key: string): string | undefined }): void;
  [kind: string]: unknown;
}

type Engine = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const installedRuntime = (): RuntimeModule => require("../runtime") as RuntimeModule;

/** `load` defaults to the runtime beside this module (the module form, required by package path). */
export function providerOf(kind: string, load: () => RuntimeModule = installedRuntime): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req: pulumi.dynamic.ConfigureRequest) {
      load().configure(req.config);
    },
    check: (olds: Props, news: Props) => (load()[kind] as Engine).check(olds, news),
    diff: (id: string, olds: Props, news: Props) => (load()[kind] as Engine).diff(id, olds, news),
    create: (inputs: Props) => (load()[kind] as Engine).create(inputs),
    read: (id: string, props: Props) => (load()[kind] as Engine).read(id, props),
    update: (id: string, olds: Props, news: Props) => (load()[kind] as Engine).update(id, olds, news),
    delete: (id: string, props: Props) => (load()[kind] as Engine).delete(id, props),
  };
}
