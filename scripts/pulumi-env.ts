/**
 * The environment every Pulumi CLI run of this project uses: the toolchain in .tools/bin first on
 * PATH, a local file backend, the dev passphrase, no update checks and no plugin downloads.
 */
import * as path from "node:path";

export function repoRoot(): string {
  // Works from both the sources (scripts/) and the build (dist/scripts/).
  let dir = __dirname;
  while (path.basename(dir) === "scripts" || path.basename(dir) === "dist") dir = path.dirname(dir);
  return dir;
}

/** The dev stack's passphrase: it only protects the emulator's dev credentials. */
export const DEV_PASSPHRASE = "genesys-dev-stack";

export interface PulumiEnvOptions {
  backendDir?: string;
  pulumiHome?: string;
  passphrase?: string;
}

export function pulumiEnv(opts: PulumiEnvOptions = {}, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const root = repoRoot();
  const backendDir = opts.backendDir ?? path.join(root, ".pulumi-state");
  return {
    ...base,
    PATH: `${path.join(root, ".tools", "bin")}${path.delimiter}${base.PATH ?? ""}`,
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_HOME: opts.pulumiHome ?? path.join(root, ".pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: opts.passphrase ?? base.PULUMI_CONFIG_PASSPHRASE ?? DEV_PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
  };
}
