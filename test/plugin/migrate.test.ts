import { describe, expect, it } from "vitest";
import { importFileFromState } from "../../provider/plugin/migrate";

const urn = (type: string, name: string) => `urn:pulumi:dev::genesys-webmessaging::${type}::${name}`;
const exported = (resources: unknown[]) => ({ version: 3, deployment: { resources } });

describe("the import file made from a dynamic stack's export", () => {
  it("lists each dynamic genesys resource under the plugin's type, by logical name and id, and nothing else", () => {
    const file = importFileFromState(
      exported([
        { urn: urn("pulumi:pulumi:Stack", "genesys-webmessaging-dev"), type: "pulumi:pulumi:Stack" },
        { urn: urn("pulumi:providers:pulumi-nodejs", "default"), type: "pulumi:providers:pulumi-nodejs", id: "p1" },
        {
          urn: urn("pulumi-nodejs:dynamic/genesys:WebMessagingChannel", "alpha"),
          type: "pulumi-nodejs:dynamic/genesys:WebMessagingChannel",
          id: "b1",
        },
        {
          urn: urn("pulumi-nodejs:dynamic/genesys:LoadBalancerWebhook", "alpha-lb-sync"),
          type: "pulumi-nodejs:dynamic/genesys:LoadBalancerWebhook",
          id: "w1",
        },
        // The old copy of a replaced deployment, pending deletion: not a live object to adopt.
        {
          urn: urn("pulumi-nodejs:dynamic/genesys:WebDeployment", "site"),
          type: "pulumi-nodejs:dynamic/genesys:WebDeployment",
          id: "d0",
          delete: true,
        },
        { urn: urn("pulumi-nodejs:dynamic/genesys:WebDeployment", "site"), type: "pulumi-nodejs:dynamic/genesys:WebDeployment", id: "d1" },
      ]),
    );
    expect(file).toEqual({
      resources: [
        { type: "genesys:index:WebMessagingChannel", name: "alpha", id: "b1" },
        { type: "genesys:index:LoadBalancerWebhook", name: "alpha-lb-sync", id: "w1" },
        { type: "genesys:index:WebDeployment", name: "site", id: "d1" },
      ],
    });
  });

  it("refuses a resource with no id, naming it and the fix", () => {
    const state = exported([
      { urn: urn("pulumi-nodejs:dynamic/genesys:WebMessagingChannel", "beta"), type: "pulumi-nodejs:dynamic/genesys:WebMessagingChannel" },
    ]);
    expect(() => importFileFromState(state)).toThrow(/::beta: no id in the state .*run pulumi refresh first/);
  });

  it("refuses what is not a stack export", () => {
    expect(() => importFileFromState({ resources: [] })).toThrow("pass the output of `pulumi stack export`");
  });
});
