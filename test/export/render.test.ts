/** The generated project's README and program for the cases an org built in the emulator does not hold. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { ExportedChannel, Org } from "../../cli/export/model";
import { renderTypescript } from "../../cli/export/render";
import { type PackageSchema, renderGo } from "../../cli/export/render-go";
import { renderYaml } from "../../cli/export/render-yaml";

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

describe("the YAML and Go programs for what the SDK-built org does not hold", () => {
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "sdk", "schema.json"), "utf8")) as PackageSchema;
  const plugin = { projectName: "acme", target: { region: "eu-west-1", clientId: "client" }, pluginDir: "/checkout/bin" };
  const go = (org: Org) =>
    renderGo(org, { ...plugin, schema, sdkDir: "/checkout/sdk/go", goMod: { goLine: "go 1.25", requires: "require x v1.0.0", goSum: "" } });
  const withConfiguration = (document: Record<string, unknown>): Org => ({
    configurations: [{ id: "cfg-1", name: "Support", version: "1", document, draftAhead: false }],
    deployments: [],
    channels: [],
    webhooks: [],
    skipped: [],
  });

  it("writes a literal ${ or $$ in a YAML string with $$ for its $, so Pulumi YAML reads back the same text", () => {
    const org = withConfiguration({
      name: "Support",
      description: "Hi ${user}, $$ and $5",
      languages: ["en-us"],
      defaultLanguage: "en-us",
    });
    const program = renderYaml(org, plugin).get("Pulumi.yaml")!;
    expect(program).toContain('      description: "Hi $${user}, $$$ and $5"\n');
  });

  it("stops a Go export on a member the package schema lacks, naming its path and the fix", () => {
    const org = withConfiguration({ name: "Support", languages: ["en-us"], defaultLanguage: "en-us", messenger: { sparkles: true } });
    expect(() => go(org)).toThrow("export: support.messenger.sparkles is not in the provider's schema (sdk/schema.json); run npm run sdks");
  });

  it("writes a Go program for an empty org that imports only what it uses", () => {
    const program = go({ configurations: [], deployments: [], channels: [], webhooks: [], skipped: [] }).get("program.go")!;
    expect(program).not.toContain("genesys-webmessaging/sdk/go/genesys");
    expect(program).toContain('\tctx.Export("configurationVersions", pulumi.Map{})\n');
  });
});
