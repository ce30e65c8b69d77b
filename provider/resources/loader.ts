/**
 * Builds the provider objects that Pulumi serialises into the state.
 *
 * Preferred: the module `genesys-webmessaging-pulumi/providers/<kind>` loaded through the project's
 * node_modules. Pulumi's closure serializer stores a captured value that is the `module.exports` of
 * a module under node_modules as a plain `require("<package>/<export>")`, a few hundred bytes per
 * resource (stored twice: inputs and outputs), instead of the code of every method.
 *
 * Fallback (a checkout without the self-link shim, or a package linked from outside node_modules):
 * the same object (provider-of.ts) given a `load` that finds the runtime by name, or by this build's
 * absolute path. Its code is serialised by value (about 3 KB). States written by either form stay
 * readable: `read`/`delete` run the code saved in state, and both forms load the installed runtime.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { providerOf, type RuntimeModule } from "./provider-of";

/** Where consumers of the npm package find the runtime. */
const RUNTIME_PACKAGE = "genesys-webmessaging-pulumi/runtime";
/** Where this checkout's build keeps it (used when the package is not installed by name). */
const RUNTIME_PATH = path.join(__dirname, "..", "runtime");
const PACKAGE_NAME = "genesys-webmessaging-pulumi";

/** Set to "true" in the program's environment to store the inline form even when the package form is available. */
export const INLINE_PROVIDER_ENV = "GENESYS_PULUMI_INLINE_PROVIDER";

export function makeProvider(kind: string): pulumi.dynamic.ResourceProvider {
  if (process.env[INLINE_PROVIDER_ENV] === "true") return makeInlineProvider(kind);
  return providerByPackageName(kind) ?? makeInlineProvider(kind);
}

/**
 * The provider module as the project's node_modules resolves it, or undefined when it is not there
 * or would not be serialised by reference (so the caller falls back to the inline provider rather
 * than store a module whose relative requires break once serialised by value). The default is the
 * working directory, which is what Pulumi's serializer resolves against: the language host runs the
 * program from the directory of its `main`.
 */
export function providerByPackageName(kind: string, projectDir = process.cwd()): pulumi.dynamic.ResourceProvider | undefined {
  // Resolving from inside node_modules skips Node's self-reference (this package's own name from
  // its own files), which would give the checkout's dist/ path that Pulumi serialises by value.
  const fromProject = createRequire(path.join(projectDir, "node_modules", "noop.js"));
  let provider: pulumi.dynamic.ResourceProvider;
  try {
    provider = fromProject(`${PACKAGE_NAME}/providers/${kind}`) as pulumi.dynamic.ResourceProvider;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return undefined;
    throw err;
  }
  return isCachedUnderNodeModules(provider) ? provider : undefined;
}

/** Mirrors the serializer's rule: the first cached module whose exports are `value` names it. */
function isCachedUnderNodeModules(value: unknown): boolean {
  for (const [file, mod] of Object.entries(require.cache)) {
    if (mod?.exports === value) return file.split(path.sep).includes("node_modules");
  }
  return false;
}

export function makeInlineProvider(kind: string): pulumi.dynamic.ResourceProvider {
  // Serialised by value with the provider object: the runtime by its package name, or else by the
  // path of the build that wrote the state.
  const load = (): RuntimeModule => {
    try {
      return require(RUNTIME_PACKAGE) as RuntimeModule;
    } catch (err) {
      if ((err as { code?: string }).code !== "MODULE_NOT_FOUND") throw err;
      return require(RUNTIME_PATH) as RuntimeModule;
    }
  };
  return providerOf(kind, load);
}
