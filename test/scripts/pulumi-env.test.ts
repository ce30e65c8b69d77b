/**
 * The environment of every CLI run of npm start and of the tests: the project's settings, and
 * nothing from a shell set up for a real org.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEV_PASSPHRASE, pulumiEnv } from "../../scripts/pulumi-env";

const shell = {
  HOME: "/home/someone",
  PATH: "/usr/bin:/bin",
  LANG: "C.UTF-8",
  GENESYSCLOUD_OAUTHCLIENT_ID: "prod-id",
  GENESYSCLOUD_OAUTHCLIENT_SECRET: "prod-secret",
  GENESYSCLOUD_REGION: "eu-west-1",
  GENESYSCLOUD_API_URL: "https://api.mypurecloud.ie",
  GENESYSCLOUD_AUTH_URL: "https://login.mypurecloud.ie",
  CHANNEL_SIGNING_KEY: "prod-signing-key",
  GENESYS_WEBHOOK_SECRET: "prod-webhook-secret",
  GENESYS_EMULATOR_ADMIN_TOKEN: "admin",
  AUDIT_DIR: "/var/log/audit",
  LB_WEBHOOK_SECRET: "lb-secret",
  PULUMI_CONFIG_PASSPHRASE: "prod-passphrase",
  PULUMI_CONFIG_PASSPHRASE_FILE: "/home/someone/.passphrase",
  PULUMI_BACKEND_URL: "s3://prod-state",
};

describe("pulumiEnv", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-env-"));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it("passes none of the project's own variables from the shell, and keeps the rest", () => {
    const env = pulumiEnv({ backendDir: path.join(tmp, "state") }, shell);
    for (const name of Object.keys(shell).filter((k) => /^(GENESYS|CHANNEL_|AUDIT_|LB_|PULUMI_CONFIG_PASSPHRASE_FILE)/.test(k))) {
      expect(env[name], name).toBeUndefined();
    }
    expect(env.HOME).toBe("/home/someone");
    expect(env.LANG).toBe("C.UTF-8");
  });

  it("uses the dev passphrase and its own backend whatever the shell says", () => {
    const env = pulumiEnv({ backendDir: path.join(tmp, "state") }, shell);
    expect(env.PULUMI_CONFIG_PASSPHRASE).toBe(DEV_PASSPHRASE);
    expect(env.PULUMI_BACKEND_URL).toBe(`file://${path.join(tmp, "state")}`);
    expect(env.PATH!.split(path.delimiter).slice(1).join(path.delimiter)).toBe("/usr/bin:/bin");
  });

  it("creates the backend folder, which a fresh clone does not have", () => {
    const backendDir = path.join(tmp, "fresh", ".pulumi-state");
    expect(fs.existsSync(backendDir)).toBe(false);
    pulumiEnv({ backendDir }, shell);
    expect(fs.statSync(backendDir).isDirectory()).toBe(true);
  });
});
