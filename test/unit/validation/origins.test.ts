import { describe, expect, it } from "vitest";
import { type ChannelDefinition, normalizeChannel, validateChannel } from "../../../provider/resources/channel/schema";
import { minimal, pem, pemLines, sourceDesignExample } from "./fixtures";

function valid(def: Record<string, unknown>): ChannelDefinition {
  const result = validateChannel(def);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

describe("normalizeChannel", () => {
  it.each([
    ["HTTPS://App.Example.COM", "https://app.example.com"],
    ["https://app.example.com/", "https://app.example.com"],
    ["https://app.example.com:443", "https://app.example.com"],
    ["https://app.example.com:8443/", "https://app.example.com:8443"],
    ["http://LOCALHOST:80/", "http://localhost"],
    ["https://bücher.example", "https://xn--bcher-kva.example"],
  ])("normalises the origin %s to %s", (given, canonical) => {
    expect(normalizeChannel(valid(minimal((d) => (d.allowedOrigins = [given])))).allowedOrigins).toEqual([canonical]);
  });

  it("is idempotent", () => {
    const once = normalizeChannel(valid(sourceDesignExample()));
    expect(normalizeChannel(once)).toEqual(once);
  });

  it("sorts and de-duplicates channel types, fills defaults and drops the signature", () => {
    const def: ChannelDefinition = {
      ...valid(minimal()),
      channelTypes: ["webmessaging", "webchat", "webmessaging"],
      signature: "a".repeat(64),
    };
    const normal = normalizeChannel({
      ...def,
      description: undefined as unknown as string,
      settings: {
        ...def.settings,
        healthCheckInterval: undefined as unknown as number,
        tlsCertificateChain: undefined as unknown as string[],
      },
    });
    expect(normal.channelTypes).toEqual(["webchat", "webmessaging"]);
    expect(normal.description).toBe("");
    expect(normal.settings.healthCheckInterval).toBe(300);
    expect(normal.settings.tlsCertificateChain).toEqual([]);
    expect(normal).not.toHaveProperty("signature");
  });

  it("gives the PEM-lines form and the one-PEM-per-entry form the same canonical chain", () => {
    const blocks = valid(
      minimal(
        (d) => ((d.endpointUrl = "wss://wss.example.com/ws"), (d.settings.tlsCertificateChain = [pem("leaf"), pem("intermediate-ca")])),
      ),
    );
    const lines = valid(
      minimal(
        (d) => (
          (d.endpointUrl = "wss://wss.example.com/ws"),
          (d.settings.tlsCertificateChain = pemLines(pem("leaf"), pem("intermediate-ca")))
        ),
      ),
    );
    expect(normalizeChannel(lines)).toEqual(normalizeChannel(blocks));
    expect(normalizeChannel(blocks).settings.tlsCertificateChain).toHaveLength(2);
  });

  it("does not modify the definition it is given", () => {
    const def = valid(minimal((d) => ((d.allowedOrigins = ["HTTPS://APP.example.com/"]), (d.channelTypes = ["webmessaging", "webchat"]))));
    const copy = structuredClone(def);
    normalizeChannel(def);
    expect(def).toEqual(copy);
  });
});

describe("allowedOrigins rules", () => {
  it.each([
    ["https://app.example.com/chat", "must not have a path"],
    ["https://app.example.com//", "must not have a path"],
    ["https://app.example.com?", "query string"],
    ["https://app.example.com/#", "fragment"],
    ["https://@app.example.com", "credentials"],
    ["https://*.example.com", "wildcards are not supported"],
    ["*", "wildcard"],
    ["localhost:3000", "missing its scheme"],
    ["chrome-extension://abcdef", 'scheme "chrome-extension"'],
    ["http://example.com", "must use https"],
    ["https://", "is not a valid origin"],
  ])("refuses %s", (origin, fragment) => {
    const result = validateChannel(minimal((d) => (d.allowedOrigins = [origin])));
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    expect(issues.find((i) => i.path === "allowedOrigins[0]")?.message).toContain(fragment);
  });

  it("names both entries when two spell the same origin", () => {
    const result = validateChannel(
      minimal((d) => (d.allowedOrigins = ["https://a.example.com", "https://b.example.com", "https://A.example.com:443/"])),
    );
    expect(result.ok ? [] : result.issues).toEqual([
      { path: "allowedOrigins[2]", message: expect.stringContaining('duplicates allowedOrigins[0] (both are "https://a.example.com"') },
    ]);
  });

  it("accepts an IPv6 literal origin with a port", () => {
    expect(validateChannel(minimal((d) => (d.allowedOrigins = ["https://[2001:db8::1]:8443"]))).ok).toBe(true);
  });
});

describe("endpointUrl rules", () => {
  it.each([
    ["https://chat.example.com/messages?tenant=1", true],
    ["wss://chat.example.com:8443/ws", true],
    ["http://chat.example.com", false],
    ["ws://chat.example.com", false],
    ["https://user:pw@chat.example.com", false],
    ["https://chat.example.com/#frag", false],
    ["mailto:ops@example.com", false],
    ["/relative/path", false],
  ])("%s is accepted: %s", (url, accepted) => {
    expect(validateChannel(minimal((d) => (d.endpointUrl = url))).ok).toBe(accepted);
  });
});
