/** The WebDeployment class a Pulumi program declares, and its Args. */
import type { ArgsOf } from "../definition";
import { resourceClass } from "../resource-class";
import { webDeployment } from "./definition";

/** A Genesys Cloud web deployment: serves one published configuration version to the listed domains. */
export const WebDeployment = resourceClass(webDeployment);
export type WebDeployment = InstanceType<typeof WebDeployment>;
export type WebDeploymentArgs = ArgsOf<typeof webDeployment>;
