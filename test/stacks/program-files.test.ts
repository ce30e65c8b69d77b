/**
 * The program's own inputs: `channelsFile` relative to the project folder (not the build folder
 * the program runs in), and provider settings checked once, as a message without a stack trace.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../provider/config";
import { checkProviderSettings, readDeclarationsFile } from "../../stacks/program";

describe("channelsFile", () => {
  let project: string;
  beforeAll(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-channels-file-"));
    fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: p\nruntime: nodejs\nmain: dist/stacks/index.js\n");
    fs.mkdirSync(path.join(project, "dist", "stacks"), { recursive: true });
    fs.writeFileSync(path.join(project, "channels.json"), JSON.stringify([{ resourceName: "a", name: "A" }]));
  });
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  it("reads ./channels.json from the project folder, whatever folder the program runs in", () => {
    expect(readDeclarationsFile("./channels.json", project)).toEqual([{ resourceName: "a", name: "A" }]);
  });

  it("finds the project folder by its Pulumi.yaml when none is given", () => {
    const cwd = process.cwd();
    process.chdir(path.join(project, "dist", "stacks"));
    try {
      expect(readDeclarationsFile("./channels.json")).toEqual([{ resourceName: "a", name: "A" }]);
    } finally {
      process.chdir(cwd);
    }
  });

  it("names the full path it tried and where a relative path starts, as a RunError (no stack trace)", () => {
    let error: unknown;
    try {
      readDeclarationsFile("./missing.json", project);
    } catch (err) {
      error = err;
    }
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      `channelsFile: cannot read ${path.join(project, "missing.json")} (ENOENT); a relative path is taken from the project folder ${project}: ` +
        "run: pulumi config set channelsFile <path to a JSON array of channel declarations>",
    );
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe("ENOENT");
  });

  it("keeps the parser's error as the cause of a file that is not JSON", () => {
    fs.writeFileSync(path.join(project, "broken.json"), "[{");
    let error: unknown;
    try {
      readDeclarationsFile("broken.json", project);
    } catch (err) {
      error = err;
    }
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it("refuses a file that is not a JSON array", () => {
    fs.writeFileSync(path.join(project, "object.json"), "{}");
    expect(() => readDeclarationsFile("object.json", project)).toThrow(
      `channelsFile: ${path.join(project, "object.json")} must hold a JSON array`,
    );
  });
});

describe("provider settings checked by the program", () => {
  it("throws one RunError listing every problem with its fix", () => {
    let error: unknown;
    try {
      checkProviderSettings((key) => ({ "genesys:clientId": "id", "genesys:allowPrivateNetworks": "maybe" })[key], "/p", {});
    } catch (err) {
      error = err;
    }
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain("pulumi config set --secret genesys:clientSecret <oauth-client-secret>");
    expect(message).toContain('genesys:allowPrivateNetworks must be true or false (got "maybe")');
    expect((error as Error).cause).toBeInstanceOf(ConfigError);
  });

  it("accepts complete settings", () => {
    const stack: Record<string, string> = {
      "genesys:clientId": "id",
      "genesys:clientSecret": "s",
      "genesys:apiUrl": "http://127.0.0.1:8787",
    };
    expect(() => checkProviderSettings((key) => stack[key], "/p", {})).not.toThrow();
  });
});
