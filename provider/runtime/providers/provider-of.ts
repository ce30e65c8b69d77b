/**
 * The provider object Pulumi serialises into the state for one resource kind. Each file beside this
 * one is `export = providerOf("<kind>")`, so that object is the whole `module.exports` of a module:
 * when a program loads it through node_modules (every consumer project; this checkout through the
 * shim that scripts/self-link.ts writes), Pulumi's closure serializer stores it as one
 * `require("genesys-webmessaging-pulumi/providers/<kind>")` instead of its code, so each resource
 * carries a few hundred bytes of provider instead of kilobytes. The runtime is required inside each
 * method so the program process, which only serialises this object, never loads it.
 */
import type * as pulumi from "@pulumi/pulumi";

type Runtime = typeof import("../index");
type Kind = Exclude<keyof Runtime, "configure">;
type Props = Record<string, unknown>;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = (): Runtime => require("../index") as Runtime;

export function providerOf(kind: Kind): pulumi.dynamic.ResourceProvider {
  return {
    async configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
      runtime().configure(req.config);
    },
    check: (olds: Props, news: Props) => runtime()[kind].check(olds, news),
    diff: (id: string, olds: Props, news: Props) => runtime()[kind].diff(id, olds, news),
    create: (inputs: Props) => runtime()[kind].create(inputs),
    read: (id: string, props: Props) => runtime()[kind].read(id, props),
    update: (id: string, olds: Props, news: Props) => runtime()[kind].update(id, olds, news),
    delete: (id: string, props: Props) => runtime()[kind].delete(id, props),
  };
}
