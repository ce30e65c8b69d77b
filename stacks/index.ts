/**
 * The Pulumi program. Channels come from ./channels.ts, or from a JSON file when the stack sets
 * `channelsFile` (handy for signed definitions kept as JSON). Web deployments come from
 * ./web-deployments.ts, or from the JSON file named by `webDeploymentsFile` (see
 * webDeploymentsSource for a stack with a `channelsFile`).
 */
import * as pulumi from "@pulumi/pulumi";
import { projectRoot } from "../provider/config";
import { channels as declared } from "./channels";
import { checkProviderSettings, deployChannels, readDeclarationsFile } from "./program";
import { deployWebDeployments, webDeploymentsSource } from "./web-deployments";

// The folder of Pulumi.yaml; the program itself runs from its build folder (dist/stacks).
const projectDir = pulumi.runtime.getRootDirectory() || projectRoot(process.cwd());
checkProviderSettings((key) => {
  const [namespace, name] = key.split(":") as [string, string];
  return new pulumi.Config(namespace).get(name);
}, projectDir);

const config = new pulumi.Config();
const lb = new pulumi.Config("lb");
const channelsFile = config.get("channelsFile");

export const channels = deployChannels(channelsFile ? readDeclarationsFile(channelsFile, projectDir) : declared, {
  callbackUrl: lb.get("callbackUrl"),
  webhookRetryCount: lb.getNumber("retryCount"),
  webhookRetryInterval: lb.getNumber("retryInterval"),
});

const webDeploymentsChoice = webDeploymentsSource({ channelsFile, webDeploymentsFile: config.get("webDeploymentsFile"), projectDir });
if (webDeploymentsChoice.note) void pulumi.log.info(webDeploymentsChoice.note);
export const webDeployments = deployWebDeployments(webDeploymentsChoice.declared);
