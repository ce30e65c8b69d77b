import { describe, expect, it } from "vitest";
import { loadProviderConfig } from "../../../provider/config";

const from = (values: Record<string, string>) => (key: string) => values[key];

/** A shell set up for a real org: every variable the provider would otherwise fall back to. */
const REAL_ORG_SHELL = {
  GENESYSCLOUD_OAUTHCLIENT_ID: "prod-id",
  GENESYSCLOUD_OAUTHCLIENT_SECRET: "prod-secret",
  GENESYSCLOUD_REGION: "eu-west-1",
  GENESYSCLOUD_API_URL: "https://api.mypurecloud.ie",
  GENESYSCLOUD_AUTH_URL: "https://login.mypurecloud.ie",
  CHANNEL_SIGNING_KEY: "prod-signing-key",
  GENESYS_WEBHOOK_SECRET: "prod-webhook-secret",
  AUDIT_DIR: "/var/log/prod-audit",
};

const DEV_STACK = {
  "genesys:apiUrl": "http://127.0.0.1:8787",
  "genesys:clientId": "dev-client",
  "genesys:clientSecret": "dev-secret",
  "genesys:allowPrivateNetworks": "true",
  "genesys:useEnvironment": "false",
};

describe("genesys:useEnvironment", () => {
  it("false: a stack described by its config ignores every environment fallback", () => {
    const c = loadProviderConfig(from(DEV_STACK), REAL_ORG_SHELL, "/p");
    expect(c).toMatchObject({
      clientId: "dev-client",
      clientSecret: "dev-secret",
      apiUrl: "http://127.0.0.1:8787",
      auditDir: "/p/audit-logs",
    });
    expect(c.region).toBeUndefined();
    expect(c.authUrl).toBeUndefined();
    expect(c.signatureKey).toBeUndefined();
    expect(c.webhookSecret).toBeUndefined();
  });

  it("false: a setting missing from the stack is reported even when the environment has it", () => {
    const { "genesys:clientSecret": _omitted, ...withoutSecret } = DEV_STACK;
    expect(() => loadProviderConfig(from(withoutSecret), REAL_ORG_SHELL, "/p")).toThrow(
      "genesys:clientSecret is not set (nor GENESYSCLOUD_OAUTHCLIENT_SECRET); run: pulumi config set --secret genesys:clientSecret <oauth-client-secret>",
    );
  });

  it("unset (the default): the environment still fills settings the stack leaves out", () => {
    const { "genesys:useEnvironment": _default, ...stack } = DEV_STACK;
    const c = loadProviderConfig(from(stack), REAL_ORG_SHELL, "/p");
    expect(c.signatureKey).toBe("prod-signing-key");
    expect(c.authUrl).toBe("https://login.mypurecloud.ie");
    expect(c.clientId).toBe("dev-client");
  });

  it("refuses a value other than true or false, naming the setting and the fix", () => {
    expect(() => loadProviderConfig(from({ ...DEV_STACK, "genesys:useEnvironment": "no" }), {}, "/p")).toThrow(
      'genesys:useEnvironment must be true or false (got "no"); run: pulumi config set genesys:useEnvironment false',
    );
  });
});
