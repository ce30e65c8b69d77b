/**
 * The webDeploymentConfiguration provider object Pulumi serialises into the state, as a whole module. When a program
 * loads this module through node_modules (every consumer project; this checkout through the shim
 * that scripts/self-link.ts writes), Pulumi's closure serializer stores it as one
 * `require("genesys-webmessaging-pulumi/providers/webDeploymentConfiguration")` instead of its code, so each resource
 * carries a few hundred bytes of provider instead of kilobytes. The runtime is required inside each
 * method so the program process, which only serialises this object, never loads it.
 */
import type * as pulumi from "@pulumi/pulumi";

type Runtime = typeof import("../index");
type Props = Record<string, unknown>;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtime = (): Runtime => require("../index") as Runtime;

export async function configure(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  runtime().configure(req.config);
}
export const check = (olds: Props, news: Props) => runtime().webDeploymentConfiguration.check(olds, news);
export const diff = (id: string, olds: Props, news: Props) => runtime().webDeploymentConfiguration.diff(id, olds, news);
export const create = (inputs: Props) => runtime().webDeploymentConfiguration.create(inputs);
export const read = (id: string, props: Props) => runtime().webDeploymentConfiguration.read(id, props);
export const update = (id: string, olds: Props, news: Props) => runtime().webDeploymentConfiguration.update(id, olds, news);
// `delete` is a reserved word, so the module exports it under that name from a local binding.
const remove = (id: string, props: Props) => runtime().webDeploymentConfiguration.delete(id, props);
export { remove as delete };
