/** The webDeploymentConfiguration provider object Pulumi serialises into the state: see ../provider-of.ts. */
import { providerOf } from "../provider-of";

export = providerOf("webDeploymentConfiguration");
