/** The package schema of `genesys` is generated from the resources' zod schemas and the provider settings. */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { RESOURCES } from "../../provider/plugin/resources";
import { packageSchema } from "../../provider/plugin/schema";

describe("the genesys package schema", () => {
  const schema = packageSchema("0.1.0");

  it("declares the four resources under the genesys package", () => {
    expect(schema.name).toBe("genesys");
    expect(Object.keys(schema.resources).sort()).toEqual([
      "genesys:index:LoadBalancerWebhook",
      "genesys:index:WebDeployment",
      "genesys:index:WebDeploymentConfiguration",
      "genesys:index:WebMessagingChannel",
    ]);
  });

  it("carries each input's type, whether it is required and its description", () => {
    const channel = schema.resources["genesys:index:WebMessagingChannel"]!;
    expect(channel.inputProperties.name).toEqual({ type: "string", description: "Unique per org, 1..128 characters." });
    expect(channel.inputProperties.channelTypes).toMatchObject({ type: "array", items: { type: "string" } });
    expect(channel.requiredInputs.sort()).toEqual(["allowedOrigins", "channelTypes", "endpointUrl", "name", "settings"]);
    expect(channel.inputProperties.settings).toEqual({
      $ref: "#/types/genesys:index:WebMessagingChannelSettings",
      description: "Session limits, throttling and the endpoint's TLS chain.",
    });
    expect(schema.types["genesys:index:WebMessagingChannelSettings"]).toMatchObject({
      properties: { maxConcurrentSessions: { type: "integer", description: "1..10000 concurrent sessions." } },
      required: ["maxConcurrentSessions", "rateLimitThreshold"],
    });
    const webhook = schema.resources["genesys:index:LoadBalancerWebhook"]!;
    // Fields with defaults are optional inputs.
    expect(webhook.requiredInputs.sort()).toEqual(["brandId", "callbackUrl", "name"]);
    expect(webhook.inputProperties.enabled).toEqual({ type: "boolean", description: "Deliver events (default true)." });
  });

  it("lists outputs beside the inputs: what other resources reference", () => {
    expect(schema.resources["genesys:index:WebMessagingChannel"]!.properties.brandId).toMatchObject({ type: "string" });
    expect(schema.resources["genesys:index:WebDeploymentConfiguration"]!.properties.version).toMatchObject({ type: "string" });
    expect(schema.resources["genesys:index:WebDeployment"]!.properties.snippet).toMatchObject({ type: "string" });
    expect(schema.resources["genesys:index:WebDeployment"]!.required).toContain("deploymentId");
  });

  it("declares the provider's settings as config and provider inputs, secrets marked", () => {
    expect(schema.config.variables.clientSecret).toMatchObject({ type: "string", secret: true });
    expect(schema.config.variables.webhookSecret).toMatchObject({ secret: true });
    expect(schema.config.variables.signatureKey).toMatchObject({ secret: true });
    expect(schema.config.variables.clientId).not.toHaveProperty("secret");
    expect(schema.provider.inputProperties.allowPrivateNetworks).toMatchObject({ type: "boolean" });
    expect(schema.provider.inputProperties.tokenPoolSize).toMatchObject({ type: "number" });
    expect(schema.provider.inputProperties.apiUrl!.description).toContain("GENESYSCLOUD_API_URL");
  });

  it("gives no type a resource's token: WebDeployment's configuration reference is WebDeploymentConfigurationRef", () => {
    const resourceTokens = Object.keys(schema.resources);
    expect(resourceTokens).toHaveLength(4);
    expect(Object.keys(schema.types).filter((token) => resourceTokens.includes(token))).toEqual([]);
    expect(schema.resources["genesys:index:WebDeployment"]!.inputProperties.configuration).toMatchObject({
      $ref: "#/types/genesys:index:WebDeploymentConfigurationRef",
    });
    expect(schema.types["genesys:index:WebDeploymentConfigurationRef"]).toMatchObject({
      properties: { id: { type: "string" }, version: { type: "string" } },
      required: ["id", "version"],
    });
  });

  it("refuses a type name that would clash with a resource's SDK names or with another type, naming both fields", () => {
    const entry = RESOURCES.WebDeployment;
    const original = entry.inputs;
    try {
      // `state` would make the type WebDeploymentState: Go's and Node's name for the resource's state.
      (entry as { inputs: z.ZodObject }).inputs = original.extend({ state: z.object({ phase: z.string() }) });
      expect(() => packageSchema("0.1.0")).toThrow(
        /WebDeployment\.state would be named WebDeploymentState, which clashes .* resource WebDeployment/,
      );
      // `configurationRef` would give a second path to the name WebDeploymentConfigurationRef.
      (entry as { inputs: z.ZodObject }).inputs = original.extend({ configurationRef: z.object({ id: z.string() }) });
      expect(() => packageSchema("0.1.0")).toThrow(
        /WebDeployment\.configuration and WebDeployment\.configurationRef would both be named WebDeploymentConfigurationRef/,
      );
    } finally {
      (entry as { inputs: z.ZodObject }).inputs = original;
    }
    expect(() => packageSchema("0.1.0")).not.toThrow();
  });

  it("derives properties from the zod schema: a field added there appears without being listed", () => {
    const entry = RESOURCES.WebDeployment;
    const original = entry.inputs;
    try {
      (entry as { inputs: z.ZodObject }).inputs = original.extend({ locale: z.string().describe("The site's locale.") });
      const extended = packageSchema("0.1.0").resources["genesys:index:WebDeployment"]!;
      expect(extended.inputProperties.locale).toEqual({ type: "string", description: "The site's locale." });
      expect(extended.requiredInputs).toContain("locale");
    } finally {
      (entry as { inputs: z.ZodObject }).inputs = original;
    }
    expect(packageSchema("0.1.0").resources["genesys:index:WebDeployment"]!.inputProperties).not.toHaveProperty("locale");
  });
});
