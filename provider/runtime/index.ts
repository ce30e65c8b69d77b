/**
 * The provider's implementation as the Pulumi engine reaches it for dynamic resources. The small
 * provider objects that Pulumi serialises into the state only load this module by name and delegate
 * to it, so the state stays small and `read`/`delete` of old resources run the code installed today.
 * The provider plugin (provider/plugin) serves the same lifecycles (lifecycles.ts) for its own
 * provider instances.
 */
import { configureFromSource, currentContext } from "./context";
import { lifecycles } from "./lifecycles";

export interface ConfigLike {
  get(key: string): string | undefined;
}

export function configure(config: ConfigLike): void {
  configureFromSource((key) => config.get(key));
}

// The dynamic provider's process has one configuration (the stack's), set by `configure`.
const dynamic = lifecycles(currentContext);
export const channel = dynamic.channel;
export const webhook = dynamic.webhook;
export const webDeploymentConfiguration = dynamic.webDeploymentConfiguration;
export const webDeployment = dynamic.webDeployment;
