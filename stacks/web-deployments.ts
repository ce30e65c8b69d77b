/**
 * Genesys Cloud web messaging as a real org has it: versioned configurations and the deployments
 * that serve them. Declared as data like the channels; each deployment names its configuration by
 * resourceName and is fed that configuration's id and latest published version, so a change to
 * the configuration republishes it and moves its deployments to the new version in the same `up`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { WebDeployment, type WebDeploymentArgs, WebDeploymentConfiguration, type WebDeploymentConfigurationArgs } from "../provider";

interface ConfigurationDeclaration extends Omit<WebDeploymentConfigurationArgs, "name"> {
  /** The Pulumi logical name (stable; renaming it replaces the resource). */
  resourceName: string;
  name: string;
}

interface DeploymentDeclaration extends Omit<WebDeploymentArgs, "name" | "configuration"> {
  resourceName: string;
  name: string;
  /** The resourceName of the configuration this deployment serves. */
  configuration: string;
  /** Pin a published version instead of following the latest one. */
  configurationVersion?: string;
}

export interface WebDeploymentsDeclaration {
  configurations: ConfigurationDeclaration[];
  deployments: DeploymentDeclaration[];
}

export interface DeployedWebDeployments {
  configurations: Record<string, { configurationId: pulumi.Output<string>; version: pulumi.Output<string> }>;
  deployments: Record<
    string,
    { name: pulumi.Output<string>; deploymentId: pulumi.Output<string>; status: pulumi.Output<string>; snippet: pulumi.Output<string> }
  >;
}

/** The dev stack's web messaging, against the embedded emulator. */
export const devWebDeployments: WebDeploymentsDeclaration = {
  configurations: [
    {
      resourceName: "messenger",
      name: "Dev Messenger",
      description: "Messenger look and behaviour shared by the dev sites",
      languages: ["en-us", "de"],
      defaultLanguage: "en-us",
      messenger: {
        enabled: true,
        styles: { primaryColor: "#FF4F1F" },
        launcherButton: { visibility: "On" },
        fileUpload: { modes: [{ fileTypes: ["image/png", "image/jpeg"], maxFileSizeKB: 10240 }] },
        apps: { conversations: { enabled: true, showAgentTypingIndicator: true, showUserTypingIndicator: true } },
        homeScreen: { enabled: true, logoUrl: "https://www.example.com/logo.png" },
      },
      position: { alignment: "Auto", sideSpace: 20, bottomSpace: 12 },
      cobrowse: { enabled: true, allowAgentControl: false, maskSelectors: ["#card-number", "input[type=password]"] },
      journeyEvents: { enabled: true, pageviewConfig: "Auto" },
    },
  ],
  deployments: [
    {
      resourceName: "support-site",
      name: "Support site",
      description: "Messenger on the customer support site",
      allowedDomains: ["support.example.com", "www.example.com"],
      configuration: "messenger",
    },
    {
      resourceName: "shop-site",
      name: "Shop",
      description: "Messenger on the product pages",
      allowedDomains: ["shop.example.com"],
      configuration: "messenger",
    },
  ],
};

const noWebDeployments: WebDeploymentsDeclaration = { configurations: [], deployments: [] };

/**
 * Where a stack's web deployments come from: `webDeploymentsFile` when set; otherwise this file's
 * dev declarations, except on a stack that takes its channels from `channelsFile`. Such stacks
 * (the shards of a fleet, team mode's stacks) share one org, where every one of them declaring
 * "Dev Messenger" would collide; they declare none, and `note` says so on every preview, because
 * on a stack that held the dev ones (the dev stack given a `channelsFile`) it shows as deletes.
 */
export function webDeploymentsSource(settings: { channelsFile?: string; webDeploymentsFile?: string; projectDir: string }): {
  declared: WebDeploymentsDeclaration;
  note?: string;
} {
  if (settings.webDeploymentsFile)
    return { declared: readWebDeploymentsFile(path.resolve(settings.projectDir, settings.webDeploymentsFile)) };
  if (!settings.channelsFile) return { declared: devWebDeployments };
  return {
    declared: noWebDeployments,
    note:
      "this stack declares no web deployments: it takes its channels from channelsFile and sets no webDeploymentsFile " +
      "(stacks that share an org through channelsFile would each declare stacks/web-deployments.ts's under the same names). " +
      "Web deployments it holds are deleted; to keep them, declare them in a JSON file and run: pulumi config set webDeploymentsFile <file>",
  };
}

function readWebDeploymentsFile(file: string): WebDeploymentsDeclaration {
  const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<WebDeploymentsDeclaration>;
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Error(`${file}: expected a JSON object with "configurations" and "deployments" lists`);
  }
  return { configurations: parsed.configurations ?? [], deployments: parsed.deployments ?? [] };
}

export function deployWebDeployments(declared: WebDeploymentsDeclaration): DeployedWebDeployments {
  const result: DeployedWebDeployments = { configurations: {}, deployments: {} };
  const configurations = new Map<string, WebDeploymentConfiguration>();
  const seen = new Set<string>();
  const claim = (resourceName: string) => {
    if (seen.has(resourceName)) throw new Error(`two web deployment resources are declared as "${resourceName}"; make the names unique`);
    seen.add(resourceName);
  };
  for (const { resourceName, ...args } of declared.configurations) {
    claim(resourceName);
    const cfg = new WebDeploymentConfiguration(resourceName, args);
    configurations.set(resourceName, cfg);
    result.configurations[resourceName] = { configurationId: cfg.configurationId, version: cfg.version };
  }
  for (const { resourceName, configuration, configurationVersion, ...args } of declared.deployments) {
    claim(resourceName);
    const cfg = configurations.get(configuration);
    if (!cfg) {
      throw new Error(
        `web deployment "${resourceName}" names configuration "${configuration}", which is not declared; ` +
          `use one of: ${[...configurations.keys()].join(", ") || "(none declared)"}`,
      );
    }
    const deployment = new WebDeployment(resourceName, {
      ...args,
      configuration: { id: cfg.configurationId, version: configurationVersion ?? cfg.version },
    });
    result.deployments[resourceName] = {
      name: deployment.name,
      deploymentId: deployment.deploymentId,
      status: deployment.status,
      snippet: deployment.snippet,
    };
  }
  return result;
}
