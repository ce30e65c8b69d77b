/**
 * Builds the provider objects that Pulumi serialises into the state. Each method only loads the
 * runtime module by name and delegates; nothing else is captured (no clients, no schemas, no
 * secrets), which keeps the serialised provider a few kilobytes and free of credentials.
 */
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";

/** Where consumers of the npm package find the runtime. */
const RUNTIME_PACKAGE = "genesys-webmessaging-pulumi/runtime";
/** Where this checkout's build keeps it (used when the package is not installed by name). */
const RUNTIME_PATH = path.join(__dirname, "..", "runtime");

type Kind = "channel" | "webhook" | "webDeploymentConfiguration" | "webDeployment";

export function makeProvider(kind: Kind): pulumi.dynamic.ResourceProvider {
  const load = () => {
    let runtime;
    try {
      runtime = require(RUNTIME_PACKAGE);
    } catch (err) {
      if ((err as { code?: string }).code !== "MODULE_NOT_FOUND") throw err;
      runtime = require(RUNTIME_PATH);
    }
    return runtime;
  };
  return {
    async configure(req: pulumi.dynamic.ConfigureRequest) {
      load().configure(req.config);
    },
    async check(olds: any, news: any) {
      return load()[kind].check(olds, news);
    },
    async diff(id: string, olds: any, news: any) {
      return load()[kind].diff(id, olds, news);
    },
    async create(inputs: any) {
      return load()[kind].create(inputs);
    },
    async read(id: string, props: any) {
      return load()[kind].read(id, props);
    },
    async update(id: string, olds: any, news: any) {
      return load()[kind].update(id, olds, news);
    },
    async delete(id: string, props: any) {
      return load()[kind].delete(id, props);
    },
  };
}
