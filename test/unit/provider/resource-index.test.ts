/**
 * The index of resources (provider/resources/index.ts) is what the runtime, the plugin and the
 * package's `./providers/*` export are made from, and states written by every earlier version call
 * the runtime by kind: `require(".../runtime")[kind].check(...)`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import * as RESOURCES from "../../../provider/resources";
import runtime from "../../../provider/runtime";
import { RESOURCES as PLUGIN_RESOURCES } from "../../../provider/plugin/resources";

const root = path.join(__dirname, "..", "..", "..");
const definitions = Object.entries(RESOURCES);

describe("the resource index", () => {
  it("lists the four kinds that existing states name, each under its own kind", () => {
    expect(definitions.map(([key]) => key)).toEqual(["channel", "webhook", "webDeploymentConfiguration", "webDeployment"]);
    expect(definitions.map(([key, d]) => [key, d.kind])).toEqual(definitions.map(([key]) => [key, key]));
  });

  it("gives the runtime configure and, per kind, the six methods the engine and old states call", () => {
    expect(typeof runtime.configure).toBe("function");
    const shapes = definitions.map(([kind]) => [kind, Object.keys(runtime[kind as keyof typeof RESOURCES]).sort()]);
    expect(shapes).toEqual(definitions.map(([kind]) => [kind, ["check", "create", "delete", "diff", "read", "update"]]));
  });

  it("gives every kind a provider module where the package's ./providers/* export points", () => {
    const pattern = (
      JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { exports: Record<string, { default: string }> }
    ).exports["./providers/*"]!.default;
    const sources = definitions.map(([kind]) =>
      pattern
        .replace("*", kind)
        .replace(/^\.\/dist\//, "")
        .replace(/\.js$/, ".ts"),
    );
    expect(sources.filter((file) => !fs.existsSync(path.join(root, file)))).toEqual([]);
  });

  it("gives the plugin one entry per resource, by its class name", () => {
    expect(Object.keys(PLUGIN_RESOURCES)).toEqual([
      "WebMessagingChannel",
      "LoadBalancerWebhook",
      "WebDeploymentConfiguration",
      "WebDeployment",
    ]);
  });
});
