/** The generated project's README and program for the cases an org built in the emulator does not hold. */
import { describe, expect, it } from "vitest";
import type { ExportedChannel, Org } from "../../cli/export/model";
import { renderTypescript } from "../../cli/export/render";

const channel = (id: string, name: string, endpointUrl: string, endpoint: ExportedChannel["endpoint"]): ExportedChannel => ({
  id,
  name,
  endpoint,
  spec: {
    name,
    description: "",
    endpointUrl,
    allowedOrigins: ["https://app.example.com"],
    channelTypes: ["webchat"],
    settings: { maxConcurrentSessions: 10, rateLimitThreshold: 10, tlsCertificateChain: [], healthCheckInterval: 300 },
  },
});

const render = (channels: ExportedChannel[]) => {
  const org: Org = { configurations: [], deployments: [], channels, webhooks: [], skipped: [] };
  return renderTypescript(org, {
    packageDir: "/checkout",
    versions: { pulumi: "3.248.0", typescript: "5.9.3", typesNode: "20.19.43" },
    projectName: "acme",
    target: { region: "eu-west-1", clientId: "client" },
  });
};

describe("the generated README on channel endpoints", () => {
  it("lists no private-network setting when every endpoint is public", () => {
    const readme = render([channel("c1", "Public", "wss://chat.acme.com/m", "public")]).get("README.md")!;
    expect(readme).not.toContain("allowPrivateNetworks");
    expect(readme).not.toContain("## Channel endpoints");
  });

  it("warns of an endpoint the provider refuses, with its reason, and sets nothing for it", () => {
    const readme = render([
      channel("c1", "Metadata", "wss://169.254.169.254/m", { refused: 'host is a link-local address "169.254.169.254"' }),
    ]).get("README.md")!;
    expect(readme).toContain(`- "Metadata" (c1): host is a link-local address "169.254.169.254"`);
    expect(readme).toContain("`pulumi up` fails on them until they are fixed in Genesys");
    expect(readme).not.toContain("pulumi config set genesys:allowPrivateNetworks true");
  });
});
