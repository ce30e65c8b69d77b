/**
 * The org that the export tests adopt, built through Genesys's own JS SDK (the SDK routes to the
 * emulator through its gateway setting, as in test/emulator/sdk-conformance.test.ts), standing for
 * objects made in the Genesys UI: three configurations (Support at version 2 with one deployment
 * still on 1, Sales, and Careers whose draft holds unpublished edits), five deployments (one with
 * allowAllDomains), two channels (endpoints on this machine, as a dev
 * stack's are) and a signed webhook of the source design's API.
 */
import platformClient, { type Models } from "purecloud-platform-client-v2";
import { expect } from "vitest";
import { brandBody, eventually, type Harness } from "../emulator/helpers";

export const SECRET = "dev-secret";
export const WEBHOOK_SECRET = "whsec-never-exported-7f3a";

const sdkApi = new platformClient.WebDeploymentsApi();

export function configuration(name: string, colour: string): Models.WebDeploymentConfigurationVersion {
  return {
    name,
    description: `${name} messenger`,
    languages: ["en-us"],
    defaultLanguage: "en-us",
    messenger: { enabled: true, styles: { primaryColor: colour }, launcherButton: { visibility: "On" } },
    position: { alignment: "Auto", sideSpace: 10, bottomSpace: 10 },
  };
}

async function publish(id: string): Promise<Models.WebDeploymentConfigurationVersion> {
  await eventually(async () => ((await sdkApi.getWebdeploymentsConfigurationVersionsDraft(id)).status === "Active" ? true : undefined));
  return sdkApi.postWebdeploymentsConfigurationVersionsDraftPublish(id);
}

/** Builds the org in `h`'s emulator; returns the ids by name (configurations, `brand` for "Web chat EU"). */
/** `webhookUri`: where the signed webhook delivers (a running load balancer, for a test that destroys it). */
export async function buildSdkOrg(h: Harness, opts: { webhookUri?: string } = {}): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  const sdk = platformClient.ApiClient.instance;
  sdk.setGateway({ host: "127.0.0.1", protocol: "http", port: h.emu.port });
  await sdk.loginClientCredentialsGrant("dev-client", SECRET);

  for (const [name, colour] of [
    ["Support", "#0a5c8e"],
    ["Sales", "#ff8800"],
    ["Careers", "#118833"],
  ] as const) {
    const draft = await sdkApi.postWebdeploymentsConfigurations(configuration(name, colour));
    ids[name] = draft.id!;
    await publish(draft.id!);
  }
  const deploy = (name: string, cfg: string, version: string, domains: Partial<Models.WebDeployment>) =>
    sdkApi.postWebdeploymentsDeployments({ name, configuration: { id: ids[cfg]!, version }, ...domains } as Models.WebDeployment);
  await deploy("Legacy site", "Support", "1", { allowedDomains: ["legacy.example.com"] });
  await sdkApi.putWebdeploymentsConfigurationVersionsDraft(ids.Support!, configuration("Support", "#123456"));
  await publish(ids.Support!);
  await deploy("Main site", "Support", "2", { allowedDomains: ["www.example.com", "*.example.com"] });
  await deploy("Shop", "Sales", "1", { allowedDomains: ["shop.example.com"] });
  await deploy("Partners (EU)", "Sales", "1", { allowAllDomains: true });
  await deploy("Jobs", "Careers", "1", { allowedDomains: ["jobs.example.com"] });
  await sdkApi.putWebdeploymentsConfigurationVersionsDraft(ids.Careers!, configuration("Careers", "#999999"));

  const token = await h.token("dev-client", SECRET);
  const brand = await h.api("POST", "/api/v2/webchat/brands", {
    token,
    body: brandBody({ name: "Web chat EU", endpointUrl: "wss://localhost:9443/eu" }),
  });
  expect(brand.status).toBe(201);
  ids.brand = brand.json.id;
  expect(
    (
      await h.api("POST", "/api/v2/webchat/brands", {
        token,
        body: brandBody({ name: "Web chat US", endpointUrl: "wss://localhost:9443/us" }),
      })
    ).status,
  ).toBe(201);
  const hook = await h.api("POST", "/api/v2/webhooks/webhooks", {
    token,
    body: {
      name: "LB sync EU",
      uri: opts.webhookUri ?? "https://lb.example.com/sync",
      eventFilters: [{ eventType: "webchat.brand.updated", brandId: ids.brand }],
      type: "rest",
      enabled: true,
      deliveryPolicy: { retryCount: 3, retryInterval: 60 },
      secret: WEBHOOK_SECRET,
    },
  });
  expect(hook.status).toBe(201);
  ids.webhook = hook.json.id;
  return ids;
}
