/**
 * The web deployments part of the program, with the engine mocked: one configuration and its
 * deployments, each deployment fed its configuration's id and latest published version.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}
const registered: Registered[] = [];

beforeAll(() => {
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const id = `${args.name}-id`;
        return {
          id,
          state: { ...args.inputs, configurationId: id, deploymentId: id, version: "7", status: "Active", snippet: "<script>" },
        };
      },
      call: (args) => args.inputs,
    },
    "genesys-webmessaging",
    "test",
    false,
  );
});
beforeEach(() => {
  registered.length = 0;
});

function unwrap<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

describe("web deployments in the stack program", () => {
  it("declares the dev configuration and two deployments that serve its latest published version", async () => {
    const { deployWebDeployments, devWebDeployments } = await import("../../stacks/web-deployments");
    const out = deployWebDeployments(devWebDeployments);
    await unwrap(out.deployments["support-site"]!.deploymentId);
    await unwrap(out.deployments["shop-site"]!.deploymentId);
    const configurations = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/genesys:WebDeploymentConfiguration");
    const deployments = registered.filter((r) => r.type === "pulumi-nodejs:dynamic/genesys:WebDeployment");
    expect(configurations.map((r) => r.name)).toEqual(["messenger"]);
    expect(deployments.map((r) => r.name).sort()).toEqual(["shop-site", "support-site"]);
    for (const d of deployments) expect(d.inputs.configuration).toEqual({ id: "messenger-id", version: "7" });
    expect(configurations[0]!.inputs).toMatchObject({ name: "Dev Messenger", defaultLanguage: "en-us" });
    expect(configurations[0]!.inputs.__provider).not.toMatch(/dev-secret|clientSecret":/);
  });

  it("keeps a pinned version instead of following the configuration", async () => {
    const { deployWebDeployments } = await import("../../stacks/web-deployments");
    const out = deployWebDeployments({
      configurations: [{ resourceName: "cfg", name: "Cfg", languages: ["en-us"], defaultLanguage: "en-us" }],
      deployments: [{ resourceName: "site", name: "Site", allowAllDomains: true, configuration: "cfg", configurationVersion: "2" }],
    });
    await unwrap(out.deployments.site!.deploymentId);
    expect(registered.find((r) => r.name === "site")!.inputs.configuration).toEqual({ id: "cfg-id", version: "2" });
  });

  it("refuses a deployment naming an undeclared configuration, listing the declared ones", async () => {
    const { deployWebDeployments } = await import("../../stacks/web-deployments");
    expect(() =>
      deployWebDeployments({
        configurations: [{ resourceName: "cfg", name: "Cfg", languages: ["en-us"], defaultLanguage: "en-us" }],
        deployments: [{ resourceName: "site", name: "Site", allowAllDomains: true, configuration: "cgf" }],
      }),
    ).toThrow(/names configuration "cgf", which is not declared; use one of: cfg/);
  });
});

describe("where a stack's web deployments come from", () => {
  it("a stack without channelsFile or webDeploymentsFile declares the dev ones, with nothing to note", async () => {
    const { webDeploymentsSource, devWebDeployments } = await import("../../stacks/web-deployments");
    expect(webDeploymentsSource({ projectDir: "/p" })).toEqual({ declared: devWebDeployments });
  });

  it("a stack given a channelsFile declares none and says why and how to keep them, as preview shows it", async () => {
    const { webDeploymentsSource } = await import("../../stacks/web-deployments");
    const { declared, note } = webDeploymentsSource({ channelsFile: "./channels.json", projectDir: "/p" });
    expect(declared).toEqual({ configurations: [], deployments: [] });
    expect(note).toContain(
      "this stack declares no web deployments: it takes its channels from channelsFile and sets no webDeploymentsFile",
    );
    expect(note).toContain("pulumi config set webDeploymentsFile <file>");
  });

  it("webDeploymentsFile wins over both, read relative to the project folder", async () => {
    const { webDeploymentsSource } = await import("../../stacks/web-deployments");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-web-file-"));
    try {
      const file = { configurations: [{ resourceName: "c", name: "C", languages: ["en-us"], defaultLanguage: "en-us" }], deployments: [] };
      fs.writeFileSync(path.join(dir, "web.json"), JSON.stringify(file));
      expect(webDeploymentsSource({ channelsFile: "x.json", webDeploymentsFile: "web.json", projectDir: dir })).toEqual({ declared: file });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
