/**
 * Every member of the package schema, rendered by the Go export, compiles against the generated Go
 * SDK: the renderer names fields and types as Pulumi's Go generator does (`FooBar`, `XArgs`,
 * `XTypeArgs`, `XArray`, `pulumi.Int` / `pulumi.Float64`) for the members the SDK-built org does
 * not use too. One `go vet` of a program holding one object of each kind with every member set,
 * which gofmt leaves as it is.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Org } from "../../cli/export/model";
import { goModulesOf, type PackageSchema, renderGo } from "../../cli/export/render-go";
import { repoRoot } from "../../scripts/pulumi-env";
import { runCommand } from "../support/plugin-org";

const schema = JSON.parse(fs.readFileSync(path.join(repoRoot(), "sdk", "schema.json"), "utf8")) as PackageSchema & {
  types: Record<string, { properties: Record<string, Member> }>;
};

interface Member {
  type?: string;
  $ref?: string;
  items?: Member;
}

const STEERING = new Set(["adoptExistingId", "keepUnpublishedDraft"]);

/** A value for every member of `props`, recursively, of the type the schema gives it. */
function full(props: Record<string, Member>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props).map(([k, m]) => [k, sample(m)]));
}

function sample(m: Member): unknown {
  if (m.$ref) return full(schema.types[m.$ref.replace(/^#\/types\//, "")]!.properties);
  switch (m.type) {
    case "string":
      return "x";
    case "boolean":
      return true;
    case "integer":
      return 1;
    case "number":
      return 1.5;
    case "array":
      return [sample(m.items!)];
    default:
      throw new Error(`the schema has a member of type ${m.type}, which this test does not sample`);
  }
}

const inputs = (resource: string) =>
  Object.fromEntries(
    Object.entries(full(schema.resources[`genesys:index:${resource}`]!.inputProperties)).filter(([k]) => !STEERING.has(k)),
  );

describe("the Go export of every member of the package schema", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-go-schema-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("compiles against the generated Go SDK (go vet)", async () => {
    const { configuration: _c, ...deployment } = inputs("WebDeployment");
    const { brandId: _b, ...webhook } = inputs("LoadBalancerWebhook");
    const org = {
      configurations: [{ id: "cfg-1", name: "Everything", version: "1", document: inputs("WebDeploymentConfiguration"), draftAhead: true }],
      // Names of very different lengths: the exported map's keys, aligned in sections as gofmt breaks them.
      deployments: ["Everywhere", "A", "A deployment whose name runs on well past forty characters", "B", "Mid length name"].map(
        (name, i) => ({ ...deployment, id: `dep-${i}`, name, configuration: { id: "cfg-1", version: "1" } }),
      ),
      channels: [{ id: "brand-1", name: "Every channel", spec: inputs("WebMessagingChannel"), endpoint: "public" }],
      webhooks: [{ ...webhook, id: "hook-1", name: "Every webhook", brandId: "brand-1", hasSecret: true }],
      skipped: [],
    } as unknown as Org;
    const files = renderGo(org, {
      projectName: "every-member",
      target: { region: "eu-west-1", clientId: "client" },
      pluginDir: path.join(repoRoot(), "bin"),
      schema,
      sdkDir: path.join(repoRoot(), "sdk", "go"),
      goMod: goModulesOf(repoRoot()),
    });
    for (const [name, content] of files) fs.writeFileSync(path.join(dir, name), content);
    // Every sampled member is in the program (a nested one by its field name).
    const program = files.get("program.go")!;
    for (const type of Object.values(schema.types))
      for (const k of Object.keys(type.properties)) expect(program).toContain(`${k[0]!.toUpperCase()}${k.slice(1)}: `);
    const vet = await runCommand("go", ["vet", "./..."], { cwd: dir, timeoutMs: 900_000 });
    expect(vet.code, vet.stderr).toBe(0);
    // As gofmt writes it: nothing for gofmt to change.
    const gofmt = await runCommand("gofmt", ["-d", "."], { cwd: dir });
    expect(gofmt.stdout + gofmt.stderr).toBe("");
  }, 900_000);
});
