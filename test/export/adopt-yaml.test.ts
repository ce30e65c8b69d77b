/**
 * The YAML export (Pulumi.yaml's resources on the provider plugin in this checkout's bin/) adopted by
 * following its README with the real CLI: see adoption.ts. And its import.json, the other route the
 * README names: `pulumi import -f import.json` in a project of one's own takes every object into the
 * state with no write to the org.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/export";
import { start, type Harness } from "../emulator/helpers";
import { CLI_TESTS } from "../support/pulumi-project";
import { YamlProject } from "../support/yaml-project";
import { describeAdoption } from "./adoption";
import { SECRET, buildSdkOrg } from "./sdk-org";

describeAdoption({
  language: "yaml",
  program: "Pulumi.yaml",
  addDomain: (source) => source.replace(/^( +)- "shop\.example\.com"$/m, '$1- "shop.example.com"\n$1- "checkout.example.com"'),
});

describe("the YAML export's import.json", CLI_TESTS, () => {
  let h: Harness;
  let project: YamlProject;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-export-import-"));

  beforeAll(async () => {
    h = await start({
      rateLimit: { requests: 100_000, perSeconds: 60 },
      clients: [{ clientId: "dev-client", clientSecret: SECRET }],
      webDeployments: { activationDelayMs: 20, deletionDelayMs: 20, draftSettleMs: 20 },
    });
    await buildSdkOrg(h);
    const code = await main(["--out", path.join(tmp, "acme-org"), "--language", "yaml", "--api-url", h.url, "--client-id", "dev-client"], {
      stdout: { write: () => true },
      stderr: { write: (chunk: string) => process.stderr.write(chunk) },
      env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET },
    });
    expect(code).toBe(0);
    project = YamlProject.create("own-program");
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    project?.cleanup();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("imports every exported object into a project of one's own, reading only", async () => {
    await project.ok(["stack", "init"], "imported");
    for (const [key, value, secret] of [
      ["genesys:apiUrl", h.url],
      ["genesys:clientId", "dev-client"],
      ["genesys:clientSecret", SECRET, true],
      ["genesys:allowPrivateNetworks", "true"],
    ] as const)
      await project.ok(["config", "set", ...(secret ? ["--secret"] : []), "--", key, value], "imported");
    const file = path.join(tmp, "acme-org", "import.json");
    const listed = (JSON.parse(fs.readFileSync(file, "utf8")) as { resources: { type: string; name: string; id: string }[] }).resources;
    expect(listed).toHaveLength(3 + 5 + 2 + 1);
    await h.admin("DELETE", "/requests");
    const imported = await project.cli(["import", "-f", file, "--out", path.join(project.dir, "generated.yaml"), "--yes"], "imported");
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    const requests = (await h.admin("GET", "/requests")).json.requests as { method: string; path: string }[];
    expect(requests.filter((r) => r.method !== "GET" && r.path !== "/oauth/token")).toEqual([]);
    const state = await project.resources("imported");
    expect(Object.fromEntries([...state].map(([name, r]) => [name, `${r.type} ${r.id}`]))).toEqual(
      Object.fromEntries(listed.map((r) => [r.name, `${r.type} ${r.id}`])),
    );
    await project.ok(["stack", "rm", "--force", "--yes"], "imported");
  });
});
