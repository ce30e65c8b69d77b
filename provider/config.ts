/**
 * Provider settings: read from stack config (namespace `genesys`) inside the provider process,
 * with the environment variables Genesys's Terraform provider and SDKs already use as fallbacks.
 * Secrets arrive here through the dynamic provider's `configure`, never as resource inputs, so
 * they are never written to the state.
 */
import fs from "node:fs";
import path from "node:path";
import { MAX_TOKEN_POOL_SIZE } from "./genesys/token-pool";

export interface ProviderConfig {
  clientId: string;
  clientSecret: string;
  region?: string;
  apiUrl?: string;
  authUrl?: string;
  /** Key that channel definitions must be signed with (HMAC-SHA256), when set. */
  signatureKey?: string;
  /** Secret the API signs webhook deliveries with; deliveries are unsigned without it. */
  webhookSecret?: string;
  /** Lets endpoints and callbacks resolve to private/loopback addresses (dev stack, emulator). */
  allowPrivateNetworks: boolean;
  auditDir: string;
  /** How long create waits for the first `active` health probe. */
  healthTimeoutSeconds: number;
  healthPollIntervalMs: number;
  /** The org's API rate per access token; the client stays under it instead of waiting out 429s. */
  maxRequestsPerSecond?: number;
  /** How long a configuration publish refused with 400 is retried (default 30 s; tests shorten it). */
  publishRetrySeconds?: number;
  /** Team mode: PostgreSQL holding the rate budget every runner shares (never logged: it carries a password). */
  coordinationUrl?: string;
  /** Team mode: the org-wide rate shared by every OAuth client, kept through coordinationUrl. */
  orgMaxRequestsPerSecond?: number;
  /** Team mode: the API's rate window in seconds (Genesys: 60), the shape of the shared budget's windows. */
  rateWindowSeconds?: number;
  /** Team mode: PostgreSQL holding the org's one audit trail, instead of auditDir's files. */
  auditUrl?: string;
  /** Access tokens of the same client the provider spreads calls over, each paced at maxRequestsPerSecond; default 1. */
  tokenPoolSize?: number;
}

export type ConfigSource = (key: string) => string | undefined;

export class ConfigError extends Error {
  readonly name = "ConfigError";
}

interface Setting {
  key: string;
  env?: string[];
  secret?: boolean;
  example: string;
}

export const SETTINGS = {
  clientId: { key: "clientId", env: ["GENESYSCLOUD_OAUTHCLIENT_ID"], example: "<oauth-client-id>" },
  clientSecret: { key: "clientSecret", env: ["GENESYSCLOUD_OAUTHCLIENT_SECRET"], secret: true, example: "<oauth-client-secret>" },
  region: { key: "region", env: ["GENESYSCLOUD_REGION"], example: "eu-west-1" },
  apiUrl: { key: "apiUrl", env: ["GENESYSCLOUD_API_URL"], example: "https://api.mypurecloud.ie" },
  authUrl: { key: "authUrl", env: ["GENESYSCLOUD_AUTH_URL"], example: "https://login.mypurecloud.ie" },
  signatureKey: { key: "signatureKey", env: ["CHANNEL_SIGNING_KEY"], secret: true, example: "<hmac-key>" },
  webhookSecret: { key: "webhookSecret", env: ["GENESYS_WEBHOOK_SECRET"], secret: true, example: "<webhook-signing-secret>" },
  allowPrivateNetworks: { key: "allowPrivateNetworks", example: "true" },
  auditDir: { key: "auditDir", env: ["AUDIT_DIR"], example: "./audit-logs" },
  healthTimeoutSeconds: { key: "healthTimeoutSeconds", example: "60" },
  maxRequestsPerSecond: { key: "maxRequestsPerSecond", example: "5" },
  useEnvironment: { key: "useEnvironment", example: "false" },
  coordinationUrl: {
    key: "coordinationUrl",
    env: ["GENESYS_COORDINATION_URL"],
    secret: true,
    example: "postgres://genesys_runner:<password>@db.example.com:5432/genesys_team",
  },
  orgMaxRequestsPerSecond: { key: "orgMaxRequestsPerSecond", example: "50" },
  rateWindowSeconds: { key: "rateWindowSeconds", example: "60" },
  auditUrl: {
    key: "auditUrl",
    env: ["GENESYS_AUDIT_URL"],
    secret: true,
    example: "postgres://genesys_audit_writer:<password>@db.example.com:5432/genesys_team",
  },
  tokenPoolSize: { key: "tokenPoolSize", example: "10" },
} satisfies Record<string, Setting>;

function fix(s: Setting): string {
  return `pulumi config set ${s.secret ? "--secret " : ""}genesys:${s.key} ${s.example}`;
}

function read(source: ConfigSource, env: NodeJS.ProcessEnv, s: Setting): string | undefined {
  const fromConfig = source(`genesys:${s.key}`);
  if (fromConfig !== undefined && fromConfig !== "") return fromConfig;
  for (const name of s.env ?? []) {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

/**
 * The Pulumi project's root (the folder holding Pulumi.yaml). The engine starts the provider in
 * the program's folder, which may be a subfolder (dist/stacks), and relative settings such as
 * genesys:auditDir are meant relative to the project, like every other path a user writes.
 */
export function projectRoot(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")) || fs.existsSync(path.join(dir, "Pulumi.yml"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from);
  }
}

export function loadProviderConfig(
  source: ConfigSource,
  processEnv: NodeJS.ProcessEnv = process.env,
  cwd = projectRoot(process.cwd()),
): ProviderConfig {
  const problems: string[] = [];
  // A stack that is fully described by its config (the dev stack, against the emulator) turns the
  // environment fallbacks off, so a shell set up for a real org cannot redirect or break it.
  const useEnvironment = source(`genesys:${SETTINGS.useEnvironment.key}`) || "true";
  if (useEnvironment !== "true" && useEnvironment !== "false") {
    problems.push(`genesys:useEnvironment must be true or false (got "${useEnvironment}"); run: ${fix(SETTINGS.useEnvironment)}`);
  }
  const env = useEnvironment === "false" ? {} : processEnv;
  const required = (s: Setting): string => {
    const value = read(source, env, s);
    if (value === undefined) {
      problems.push(`genesys:${s.key} is not set${s.env ? ` (nor ${s.env.join(" / ")})` : ""}; run: ${fix(s)}`);
      return "";
    }
    return value;
  };
  const bool = (s: Setting, dflt: boolean): boolean => {
    const value = read(source, env, s);
    if (value === undefined) return dflt;
    if (value === "true" || value === "false") return value === "true";
    problems.push(`genesys:${s.key} must be true or false (got "${value}"); run: ${fix(s)}`);
    return dflt;
  };
  const int = (s: Setting, dflt: number, min: number, max: number): number => {
    const value = read(source, env, s);
    if (value === undefined) return dflt;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`genesys:${s.key} must be a whole number from ${min} to ${max} (got "${value}"); run: ${fix(s)}`);
      return dflt;
    }
    return n;
  };

  const clientId = required(SETTINGS.clientId);
  const clientSecret = required(SETTINGS.clientSecret);
  const region = read(source, env, SETTINGS.region);
  const apiUrl = read(source, env, SETTINGS.apiUrl);
  const authUrl = read(source, env, SETTINGS.authUrl);
  if (!region && !apiUrl) {
    problems.push(`neither genesys:region nor genesys:apiUrl is set; run: ${fix(SETTINGS.region)} (or ${fix(SETTINGS.apiUrl)})`);
  }
  for (const [s, value] of [
    [SETTINGS.apiUrl, apiUrl],
    [SETTINGS.authUrl, authUrl],
  ] as const) {
    if (value !== undefined && !/^https?:\/\/[^/\s]+/.test(value)) {
      problems.push(`genesys:${s.key} must be an absolute URL (got "${value}"); run: ${fix(s)}`);
    }
  }
  const allowPrivateNetworks = bool(SETTINGS.allowPrivateNetworks, false);
  const healthTimeoutSeconds = int(SETTINGS.healthTimeoutSeconds, 60, 0, 3600);
  const tokenPoolSize = int(SETTINGS.tokenPoolSize, 1, 1, MAX_TOKEN_POOL_SIZE);
  let maxRequestsPerSecond: number | undefined;
  const rate = read(source, env, SETTINGS.maxRequestsPerSecond);
  if (rate !== undefined) {
    const n = Number(rate);
    if (!Number.isFinite(n) || n <= 0 || n > 10_000) {
      problems.push(
        `genesys:maxRequestsPerSecond must be a number above 0 and at most 10000 (got "${rate}"); run: ${fix(SETTINGS.maxRequestsPerSecond)}`,
      );
    } else {
      maxRequestsPerSecond = n;
    }
  }
  const rateSetting = (s: Setting): number | undefined => {
    const value = read(source, env, s);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > 10_000) {
      problems.push(`genesys:${s.key} must be a number above 0 and at most 10000 (got "${value}"); run: ${fix(s)}`);
      return undefined;
    }
    return n;
  };
  const postgresUrl = (s: Setting): string | undefined => {
    const value = read(source, env, s);
    if (value === undefined) return undefined;
    if (!/^postgres(ql)?:\/\/[^/\s]+/.test(value)) {
      // The value itself is not echoed: it may carry a password.
      problems.push(`genesys:${s.key} must be a postgres:// URL; run: ${fix(s)}`);
      return undefined;
    }
    return value;
  };
  const orgMaxRequestsPerSecond = rateSetting(SETTINGS.orgMaxRequestsPerSecond);
  const rateWindow = read(source, env, SETTINGS.rateWindowSeconds);
  const rateWindowSeconds = rateWindow === undefined ? undefined : int(SETTINGS.rateWindowSeconds, 1, 1, 3600);
  const coordinationUrl = postgresUrl(SETTINGS.coordinationUrl);
  const auditUrl = postgresUrl(SETTINGS.auditUrl);
  if (coordinationUrl && maxRequestsPerSecond === undefined && orgMaxRequestsPerSecond === undefined) {
    problems.push(
      `genesys:coordinationUrl shares a rate budget, but no rate is set; run: ${fix(SETTINGS.maxRequestsPerSecond)} (and/or ${fix(SETTINGS.orgMaxRequestsPerSecond)})`,
    );
  }
  if (orgMaxRequestsPerSecond !== undefined && !read(source, env, SETTINGS.coordinationUrl)) {
    problems.push(
      `genesys:orgMaxRequestsPerSecond is shared through a database: it needs genesys:coordinationUrl; run: ${fix(SETTINGS.coordinationUrl)}`,
    );
  }
  const auditDir = path.resolve(cwd, read(source, env, SETTINGS.auditDir) ?? "audit-logs");
  if (problems.length > 0) {
    throw new ConfigError(`Genesys provider configuration is incomplete:\n  - ${problems.join("\n  - ")}`);
  }
  return {
    clientId,
    clientSecret,
    region,
    apiUrl,
    authUrl,
    signatureKey: read(source, env, SETTINGS.signatureKey),
    webhookSecret: read(source, env, SETTINGS.webhookSecret),
    allowPrivateNetworks,
    auditDir,
    healthTimeoutSeconds,
    healthPollIntervalMs: 1000,
    tokenPoolSize,
    ...(maxRequestsPerSecond !== undefined ? { maxRequestsPerSecond } : {}),
    ...(coordinationUrl !== undefined ? { coordinationUrl } : {}),
    ...(orgMaxRequestsPerSecond !== undefined ? { orgMaxRequestsPerSecond } : {}),
    ...(rateWindowSeconds !== undefined ? { rateWindowSeconds } : {}),
    ...(auditUrl !== undefined ? { auditUrl } : {}),
  };
}

/** The values that must never appear in state, outputs, logs, audit records or messages. */
export function secretsOf(config: ProviderConfig): string[] {
  return [
    config.clientSecret,
    config.signatureKey,
    config.webhookSecret,
    config.coordinationUrl,
    config.auditUrl,
    passwordOf(config.coordinationUrl),
    passwordOf(config.auditUrl),
  ].filter((v): v is string => typeof v === "string" && v.length > 0);
}

/** The password inside a database URL (team mode), itself a secret wherever it might be echoed. */
function passwordOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = decodeURIComponent(new URL(url).password);
    // A very short password would redact unrelated text; it is still never logged by us.
    return password.length >= 4 ? password : undefined;
  } catch {
    return undefined;
  }
}
