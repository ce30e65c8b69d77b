/**
 * The environment every Pulumi CLI run of the dev stack and the tests uses: the toolchain in .tools/bin first on
 * PATH, a local file backend, the dev passphrase, no update checks and no plugin downloads, and
 * none of the variables the project itself reads from a user's shell.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export function repoRoot(): string {
  // Works from both the sources (scripts/) and the build (dist/scripts/).
  let dir = __dirname;
  while (path.basename(dir) === "scripts" || path.basename(dir) === "dist") dir = path.dirname(dir);
  return dir;
}

/** The dev stack's passphrase: it only protects the emulator's dev credentials. */
export const DEV_PASSPHRASE = "genesys-dev-stack";

/**
 * Variables the provider, the emulator, the receiver or the CLI would pick up from a shell set up
 * for a real org (the provider's environment fallbacks, a passphrase for other stacks). A run of
 * the dev stack or of a test states everything it needs, so none of them may leak in.
 */
const PROJECT_VARIABLE_PREFIXES = ["GENESYSCLOUD_", "GENESYS_"];
const PROJECT_VARIABLES = new Set(["CHANNEL_SIGNING_KEY", "AUDIT_DIR", "LB_WEBHOOK_SECRET", "PULUMI_CONFIG_PASSPHRASE_FILE"]);

function isProjectVariable(name: string): boolean {
  return PROJECT_VARIABLES.has(name) || PROJECT_VARIABLE_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** `base` without the project's own variables. */
export function withoutProjectVariables(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(base).filter(([name]) => !isProjectVariable(name)));
}

export interface PulumiEnvOptions {
  backendDir?: string;
  pulumiHome?: string;
  passphrase?: string;
}

/**
 * The settings, as environment variables, that `npm start` and the README's shell set-up share.
 * Creates the backend folder: the file backend refuses a folder that does not exist, and a fresh
 * clone has none (.pulumi-state is ignored by git).
 */
export function pulumiSettings(opts: PulumiEnvOptions = {}): Record<string, string> {
  const root = repoRoot();
  const backendDir = opts.backendDir ?? path.join(root, ".pulumi-state");
  fs.mkdirSync(backendDir, { recursive: true });
  return {
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_HOME: opts.pulumiHome ?? path.join(root, ".pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: opts.passphrase ?? DEV_PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
  };
}

export function toolsBin(): string {
  return path.join(repoRoot(), ".tools", "bin");
}

export function pulumiEnv(opts: PulumiEnvOptions = {}, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...withoutProjectVariables(base),
    PATH: `${toolsBin()}${path.delimiter}${base.PATH ?? ""}`,
    ...pulumiSettings(opts),
  };
}

/**
 * For runs of the caller's own stacks (`npm run deploy`): the project's toolchain first on PATH and
 * nothing of the dev stack's defaults. The caller's backend (`PULUMI_BACKEND_URL` or `pulumi
 * login`), passphrase (`PULUMI_CONFIG_PASSPHRASE`, `PULUMI_CONFIG_PASSPHRASE_FILE`, or the stack's
 * own secrets provider), `PULUMI_HOME` and team settings (`GENESYS_COORDINATION_URL`, ...) all pass
 * through as they are: replacing them would open no stack but the dev one.
 */
export function callerPulumiEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    ...base,
    PATH: `${toolsBin()}${path.delimiter}${base.PATH ?? ""}`,
  };
}
