import { describe, expect, it } from "vitest";
import { loadProviderConfig, secretsOf } from "../../../provider/config";

const from = (values: Record<string, string>) => (key: string) => values[key];

describe("provider configuration", () => {
  it("reads stack config in the genesys namespace", () => {
    const c = loadProviderConfig(from({ "genesys:clientId": "id", "genesys:clientSecret": "s3", "genesys:region": "eu-west-1" }), {}, "/p");
    expect(c).toMatchObject({
      clientId: "id",
      clientSecret: "s3",
      region: "eu-west-1",
      allowPrivateNetworks: false,
      auditDir: "/p/audit-logs",
    });
  });

  it("falls back to the environment variables the Genesys Terraform provider uses", () => {
    const c = loadProviderConfig(from({}), {
      GENESYSCLOUD_OAUTHCLIENT_ID: "env-id",
      GENESYSCLOUD_OAUTHCLIENT_SECRET: "env-secret",
      GENESYSCLOUD_REGION: "us-east-1",
    });
    expect(c).toMatchObject({ clientId: "env-id", clientSecret: "env-secret", region: "us-east-1" });
  });

  // Every environment fallback the README's configuration reference lists, and the field it fills.
  const required = { "genesys:clientId": "cfg-id", "genesys:clientSecret": "cfg-secret", "genesys:region": "eu-west-1" };
  const fallbacks: [setting: string, env: string, field: keyof ReturnType<typeof loadProviderConfig>, config: string, fromEnv: string][] = [
    ["genesys:clientId", "GENESYSCLOUD_OAUTHCLIENT_ID", "clientId", "cfg-id", "env-id"],
    ["genesys:clientSecret", "GENESYSCLOUD_OAUTHCLIENT_SECRET", "clientSecret", "cfg-secret", "env-secret"],
    ["genesys:region", "GENESYSCLOUD_REGION", "region", "eu-west-1", "us-east-1"],
    ["genesys:apiUrl", "GENESYSCLOUD_API_URL", "apiUrl", "https://api.cfg.example", "https://api.env.example"],
    ["genesys:authUrl", "GENESYSCLOUD_AUTH_URL", "authUrl", "https://login.cfg.example", "https://login.env.example"],
    ["genesys:signatureKey", "CHANNEL_SIGNING_KEY", "signatureKey", "cfg-signing-key", "env-signing-key"],
    ["genesys:webhookSecret", "GENESYS_WEBHOOK_SECRET", "webhookSecret", "cfg-webhook-secret", "env-webhook-secret"],
    ["genesys:auditDir", "AUDIT_DIR", "auditDir", "/cfg/audit", "/env/audit"],
  ];

  it.each(fallbacks)("%s falls back to %s when the stack does not set it", (setting, env, field, _config, fromEnv) => {
    const stack: Record<string, string> = { ...required };
    delete stack[setting];
    expect(loadProviderConfig(from(stack), { [env]: fromEnv }, "/p")[field]).toBe(fromEnv);
  });

  it.each(fallbacks)("%s set in the stack wins over %s", (setting, env, field, config, fromEnv) => {
    expect(loadProviderConfig(from({ ...required, [setting]: config }), { [env]: fromEnv }, "/p")[field]).toBe(config);
  });

  it("reads no environment variable for the settings the README lists without one", () => {
    const c = loadProviderConfig(from(required), {
      GENESYSCLOUD_ALLOWPRIVATENETWORKS: "true",
      ALLOW_PRIVATE_NETWORKS: "true",
      HEALTH_TIMEOUT_SECONDS: "5",
      GENESYSCLOUD_MAX_REQUESTS_PER_SECOND: "5",
    });
    expect(c).toMatchObject({ allowPrivateNetworks: false, healthTimeoutSeconds: 60 });
    expect(c.maxRequestsPerSecond).toBeUndefined();
  });

  it("waits 60 s for a healthy probe by default, and takes genesys:healthTimeoutSeconds from 0 to 3600", () => {
    expect(loadProviderConfig(from(required), {}).healthTimeoutSeconds).toBe(60);
    expect(loadProviderConfig(from({ ...required, "genesys:healthTimeoutSeconds": "0" }), {}).healthTimeoutSeconds).toBe(0);
    expect(loadProviderConfig(from({ ...required, "genesys:healthTimeoutSeconds": "3600" }), {}).healthTimeoutSeconds).toBe(3600);
    expect(() => loadProviderConfig(from({ ...required, "genesys:healthTimeoutSeconds": "3601" }), {})).toThrow(
      /genesys:healthTimeoutSeconds must be a whole number from 0 to 3600 \(got "3601"\); run: pulumi config set genesys:healthTimeoutSeconds 60/,
    );
  });

  it("says how to set a missing secret in the words the README's troubleshooting quotes", () => {
    const { "genesys:clientSecret": _secret, ...withoutSecret } = required;
    expect(() => loadProviderConfig(from(withoutSecret), {})).toThrow(
      "genesys:clientSecret is not set (nor GENESYSCLOUD_OAUTHCLIENT_SECRET); run: pulumi config set --secret genesys:clientSecret <oauth-client-secret>",
    );
  });

  it("lists every missing setting with the exact pulumi config set command, --secret where it belongs", () => {
    let message = "";
    try {
      loadProviderConfig(from({}), {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("pulumi config set genesys:clientId");
    expect(message).toContain("pulumi config set --secret genesys:clientSecret");
    expect(message).toContain("pulumi config set genesys:region");
  });

  it("rejects a malformed boolean or number naming the setting and the fix", () => {
    const base = { "genesys:clientId": "id", "genesys:clientSecret": "s", "genesys:apiUrl": "http://127.0.0.1:1" };
    expect(() => loadProviderConfig(from({ ...base, "genesys:allowPrivateNetworks": "yes" }), {})).toThrow(
      /genesys:allowPrivateNetworks must be true or false \(got "yes"\); run: pulumi config set genesys:allowPrivateNetworks true/,
    );
    expect(() => loadProviderConfig(from({ ...base, "genesys:healthTimeoutSeconds": "soon" }), {})).toThrow(
      /healthTimeoutSeconds must be a whole number/,
    );
  });

  it("lists the secret values that must never be written anywhere", () => {
    const c = loadProviderConfig(
      from({
        "genesys:clientId": "id",
        "genesys:clientSecret": "cs",
        "genesys:signatureKey": "sk",
        "genesys:webhookSecret": "ws",
        "genesys:region": "us-east-1",
      }),
      {},
    );
    expect(secretsOf(c).sort()).toEqual(["cs", "sk", "ws"]);
  });
});

describe("project root", () => {
  it("resolves relative settings from the folder holding Pulumi.yaml, not the program's subfolder", async () => {
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const { projectRoot } = await import("../../../provider/config");
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "proj-"));
    fs.writeFileSync(path.join(root, "Pulumi.yaml"), "name: x\nruntime: nodejs\n");
    fs.mkdirSync(path.join(root, "dist", "stacks"), { recursive: true });
    expect(projectRoot(path.join(root, "dist", "stacks"))).toBe(root);
  });
});

describe("genesys:maxRequestsPerSecond", () => {
  const base = { "genesys:clientId": "id", "genesys:clientSecret": "s", "genesys:apiUrl": "http://127.0.0.1:1" };

  it("is unset by default, so the client only reacts to 429s", () => {
    expect(loadProviderConfig(from(base), {}).maxRequestsPerSecond).toBeUndefined();
  });

  it("accepts a positive rate, fractions included", () => {
    expect(loadProviderConfig(from({ ...base, "genesys:maxRequestsPerSecond": "5" }), {}).maxRequestsPerSecond).toBe(5);
    expect(loadProviderConfig(from({ ...base, "genesys:maxRequestsPerSecond": "0.5" }), {}).maxRequestsPerSecond).toBe(0.5);
  });

  it("rejects zero or text naming the fix", () => {
    for (const bad of ["0", "-1", "fast"]) {
      expect(() => loadProviderConfig(from({ ...base, "genesys:maxRequestsPerSecond": bad }), {})).toThrow(
        /genesys:maxRequestsPerSecond must be a number above 0 .*run: pulumi config set genesys:maxRequestsPerSecond 5/,
      );
    }
  });
});

describe("genesys:tokenPoolSize", () => {
  const base = { "genesys:clientId": "id", "genesys:clientSecret": "s", "genesys:apiUrl": "http://127.0.0.1:1" };

  it("is 1 by default: one token, as before pools existed", () => {
    expect(loadProviderConfig(from(base), {}).tokenPoolSize).toBe(1);
  });

  it("accepts a whole number of tokens", () => {
    expect(loadProviderConfig(from({ ...base, "genesys:tokenPoolSize": "10" }), {}).tokenPoolSize).toBe(10);
  });

  it("rejects zero, fractions, text and more than 50 tokens, naming the fix", () => {
    for (const bad of ["0", "2.5", "many", "51"]) {
      expect(() => loadProviderConfig(from({ ...base, "genesys:tokenPoolSize": bad }), {})).toThrow(
        /genesys:tokenPoolSize must be a whole number from 1 to 50 .*run: pulumi config set genesys:tokenPoolSize 10/,
      );
    }
  });
});
