/**
 * The Pulumi program's wiring, with the engine mocked: which resources it declares, with which
 * names and inputs, and that each webhook depends on its channel.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}
const registered: Registered[] = [];
/** Configured for the stack as the provider's secret, so the test can prove it never reaches a resource. */
const CLIENT_SECRET = "program-test-client-secret-5e1f9a";

beforeAll(() => {
  pulumi.runtime.setAllConfig(
    { "genesys:clientId": "program-test-client", "genesys:clientSecret": CLIENT_SECRET, "genesys:apiUrl": "http://127.0.0.1:1" },
    ["genesys:clientSecret"],
  );
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const id = `${args.name}-id`;
        return { id, state: { ...args.inputs, brandId: id, webhookId: id, healthStatus: "active" } };
      },
      call: (args) => args.inputs,
    },
    "genesys-webmessaging",
    "test",
    false,
  );
});

function unwrap<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

describe("stack program", () => {
  it("declares one WebMessagingChannel per declared channel with its definition as inputs", async () => {
    const { deployChannels } = await import("../../stacks/program");
    const { channels } = await import("../../stacks/channels");
    const out = deployChannels(channels, {});
    await unwrap(out[channels[0].resourceName].brandId);
    const created = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/genesys:WebMessagingChannel");
    expect(created.map((r) => r.name).sort()).toEqual(channels.map((c) => c.resourceName).sort());
    const support = created.find((r) => r.name === "support")!;
    expect(support.inputs).toMatchObject({ name: "Customer Support", channelTypes: ["webmessaging"] });
    expect(typeof support.inputs.__provider).toBe("string");
    // The secret is in the stack's config here, so a provider that captured config would carry it.
    expect(pulumi.runtime.getConfig("genesys:clientSecret")).toBe(CLIENT_SECRET);
    for (const r of created) {
      expect(JSON.stringify(r.inputs)).not.toContain(CLIENT_SECRET);
      expect(r.inputs.__provider).not.toMatch(/clientSecret/);
    }
  });

  it("adds a load balancer webhook per channel, fed the channel's brandId, when a callback is configured", async () => {
    registered.length = 0;
    const { deployChannels } = await import("../../stacks/program");
    const out = deployChannels(
      [
        {
          resourceName: "a",
          name: "A",
          endpointUrl: "https://a.example.com",
          allowedOrigins: ["https://a.example.com"],
          channelTypes: ["webchat"],
          settings: { maxConcurrentSessions: 1, rateLimitThreshold: 1 },
        },
      ],
      { callbackUrl: "https://lb.example.com/events", webhookRetryCount: 5 },
    );
    expect(await unwrap(out.a.webhookId!)).toBe("a-lb-sync-id");
    const hook = registered.find((r) => r.type === "pulumi-nodejs:dynamic/genesys:LoadBalancerWebhook")!;
    expect(hook.name).toBe("a-lb-sync");
    expect(hook.inputs).toMatchObject({
      brandId: "a-id",
      callbackUrl: "https://lb.example.com/events",
      deliveryPolicy: { retryCount: 5, retryInterval: 60 },
    });
  });

  it("refuses two channels with the same resource name", async () => {
    const { deployChannels } = await import("../../stacks/program");
    const decl = {
      resourceName: "dup",
      name: "D",
      endpointUrl: "https://d.example.com",
      allowedOrigins: ["https://d.example.com"],
      channelTypes: ["webchat" as const],
      settings: { maxConcurrentSessions: 1, rateLimitThreshold: 1 },
    };
    expect(() => deployChannels([decl, { ...decl, name: "E" }])).toThrow(/resourceName "dup"/);
  });

  it("refuses a channelsFile that is not a JSON array of declarations, naming the file", async () => {
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const { readDeclarationsFile } = await import("../../stacks/program");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "channels-file-"));
    try {
      const object = path.join(dir, "object.json");
      fs.writeFileSync(object, JSON.stringify({ resourceName: "a" }));
      expect(() => readDeclarationsFile(object)).toThrow(`channelsFile: ${object} must hold a JSON array of channel declarations`);
      const broken = path.join(dir, "broken.json");
      fs.writeFileSync(broken, "[{");
      expect(() => readDeclarationsFile(broken)).toThrow(`channelsFile: ${broken} is not valid JSON`);
      expect(() => readDeclarationsFile(path.join(dir, "missing.json"))).toThrow(
        `channelsFile: cannot read ${path.join(dir, "missing.json")} (ENOENT)`,
      );
      const list = path.join(dir, "list.json");
      fs.writeFileSync(list, JSON.stringify([{ resourceName: "a", name: "A" }]));
      expect(readDeclarationsFile(list)).toEqual([{ resourceName: "a", name: "A" }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
