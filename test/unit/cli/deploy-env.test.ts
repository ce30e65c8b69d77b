import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DEV_PASSPHRASE, callerPulumiEnv, toolsBin } from "../../../scripts/pulumi-env";

describe("npm run deploy's environment", () => {
  const shell = {
    PATH: "/usr/bin",
    PULUMI_CONFIG_PASSPHRASE: "the-team's-own",
    PULUMI_CONFIG_PASSPHRASE_FILE: "/run/secrets/passphrase",
    PULUMI_HOME: "/home/ci/.pulumi",
    PULUMI_BACKEND_URL: "postgres://runner:pw@db/team",
    GENESYS_COORDINATION_URL: "postgres://runner:pw@db/team",
    GENESYS_AUDIT_URL: "postgres://audit:pw@db/team",
    GENESYSCLOUD_OAUTHCLIENT_SECRET: "from-ci-secrets",
  };

  it("keeps the caller's passphrase, home, backend and team settings, and none of the dev stack's", () => {
    const env = callerPulumiEnv(shell);
    expect(env).toMatchObject({ ...shell, PATH: `${toolsBin()}${path.delimiter}/usr/bin` });
    expect(Object.values(env)).not.toContain(DEV_PASSPHRASE);
  });

  it("sets no passphrase, home or backend the caller did not set", () => {
    const env = callerPulumiEnv({ PATH: "/usr/bin" });
    expect(env.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
    expect(env.PULUMI_HOME).toBeUndefined();
    expect(env.PULUMI_BACKEND_URL).toBeUndefined();
  });
});
