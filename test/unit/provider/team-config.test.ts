import { describe, expect, it } from "vitest";
import { loadProviderConfig, secretsOf } from "../../../provider/config";

const base = { "genesys:clientId": "runner", "genesys:clientSecret": "s3cret-value", "genesys:apiUrl": "http://127.0.0.1:1" };
const from = (values: Record<string, string>) => (key: string) => values[key];

describe("team mode settings", () => {
  it("is refused by configuration without a rate to share, and never echoes the URL", () => {
    const secretUrl = "postgres://runner:hunter2-password@db.example:5432/team";
    expect(() => loadProviderConfig(from({ ...base, "genesys:coordinationUrl": secretUrl }), {})).toThrow(
      /genesys:coordinationUrl shares a rate budget, but no rate is set; run: pulumi config set genesys:maxRequestsPerSecond/,
    );
    try {
      loadProviderConfig(from({ ...base, "genesys:coordinationUrl": "mysql://runner:hunter2-password@x/y" }), {});
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain("genesys:coordinationUrl must be a postgres:// URL");
      expect((e as Error).message).not.toContain("hunter2");
    }
    expect(() => loadProviderConfig(from({ ...base, "genesys:orgMaxRequestsPerSecond": "10" }), {})).toThrow(
      /needs genesys:coordinationUrl/,
    );
    const config = loadProviderConfig(
      from({ ...base, "genesys:coordinationUrl": secretUrl, "genesys:maxRequestsPerSecond": "5", "genesys:orgMaxRequestsPerSecond": "20" }),
      { GENESYS_COORDINATION_URL: "postgres://ignored" },
    );
    expect(config).toMatchObject({ coordinationUrl: secretUrl, maxRequestsPerSecond: 5, orgMaxRequestsPerSecond: 20 });
    const fromEnv = loadProviderConfig(from({ ...base, "genesys:maxRequestsPerSecond": "5" }), {
      GENESYS_COORDINATION_URL: secretUrl,
      GENESYS_AUDIT_URL: secretUrl,
    });
    expect(fromEnv).toMatchObject({ coordinationUrl: secretUrl, auditUrl: secretUrl });
    // Both URLs and their password are redacted wherever the provider writes text.
    expect(secretsOf(fromEnv)).toEqual(expect.arrayContaining([secretUrl, "hunter2-password"]));
  });
});
