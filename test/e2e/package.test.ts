/**
 * The provider as another team consumes it, following docs/using-from-another-project.md:
 * `npm pack` (prepack included), installed from the tarball into a Pulumi project outside this
 * checkout, the page's own TypeScript program type-checked under each module resolution the page
 * claims, and run as it is (no tsc step) through the real CLI against an in-process emulator and
 * load balancer receiver, with the config keys the page sets.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { repoRoot } from "../../scripts/pulumi-env";
import { ConsumerProject, RESOLUTIONS, packProvider } from "../support/consumer-project";
import { apiClient, listBrands } from "../support/genesys";
import { CLI_TESTS } from "../support/pulumi-project";

const clientId = "consumer-client";
const clientSecret = `consumer-secret-${randomBytes(8).toString("hex")}`;
const webhookSecret = `consumer-hook-${randomBytes(8).toString("hex")}`;

/** The page on using the provider from another project (docs/, linked from the README). */
function readmeSection(): string {
  const page = fs.readFileSync(path.join(repoRoot(), "docs", "using-from-another-project.md"), "utf8");
  expect(page, "docs/using-from-another-project.md").toContain("# Using the provider from another project");
  return page;
}

const section = readmeSection();
// The program exactly as the page shows it: its first TypeScript block.
const program = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
/** The config keys the page's recipe sets, project keys without their project name. */
const readmeConfigKeys = [...section.matchAll(/^pulumi config set (?:--secret )?(\S+) /gm)].map((m) => m[1]!).sort();

interface Webhook {
  id: string;
  name: string;
  uri: string;
}

async function listWebhooks(apiUrl: string): Promise<Webhook[]> {
  const res = await apiClient(apiUrl, clientId, clientSecret).transport.request<{ entities: Webhook[] }>({
    operation: "list webhooks",
    method: "GET",
    path: "/api/v2/webhooks/webhooks",
    query: { pageSize: 500, pageNumber: 1 },
  });
  return res.data.entities;
}

describe("the packed provider used from another Pulumi project", CLI_TESTS, () => {
  let packDir: string;
  let tarball: string;
  let emulator: RunningEmulator;
  let receiver: RunningReceiver;
  let consumer: ConsumerProject;

  beforeAll(async () => {
    packDir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-pack-"));
    [emulator, receiver, tarball] = await Promise.all([
      startEmulator({ port: 0, data: ":memory:", clients: [{ clientId, clientSecret }], quiet: true }),
      startReceiver({ port: 0, secret: webhookSecret }),
      packProvider(packDir),
    ]);
    consumer = ConsumerProject.scaffold({ tarball, program });
  }, 300_000); // npm pack's prepack compiles the whole project

  afterAll(async () => {
    consumer?.cleanup();
    if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
    await receiver?.close();
    await emulator?.close();
  });

  it("the tarball holds the built provider with its declarations and nothing from tests, emulator or state", () => {
    const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n");
    for (const needed of [
      "package/package.json",
      "package/dist/provider/index.js",
      "package/dist/provider/index.d.ts",
      "package/dist/provider/runtime/index.js",
      "package/dist/provider/runtime/index.d.ts",
      "package/dist/provider/resources/loader.js",
      "package/bin/pulumi-resource-genesys",
      "package/dist/provider/plugin/main.js",
    ]) {
      expect(files).toContain(needed);
    }
    const stray = files.filter(
      (f) => !/^package\/(package\.json|README\.md|LICENSE|bin\/pulumi-resource-genesys|dist\/provider\/.+\.(js|d\.ts))$/.test(f),
    );
    expect(stray).toEqual([]);
  });

  it("installs from the tarball into its own node_modules without the emulator's native dependencies", async () => {
    expect(consumer.dir.startsWith(repoRoot() + path.sep)).toBe(false);
    const install = await consumer.install();
    expect(install.code, install.stdout + install.stderr).toBe(0);

    const installed = path.join(consumer.dir, "node_modules", "genesys-webmessaging-pulumi");
    // A directory install (file:../checkout) would be a symlink back into the repo.
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
    const consumerRequire = createRequire(path.join(consumer.dir, "package.json"));
    for (const specifier of ["genesys-webmessaging-pulumi", "genesys-webmessaging-pulumi/runtime"]) {
      const resolved = consumerRequire.resolve(specifier);
      expect(resolved.startsWith(installed + path.sep), resolved).toBe(true);
    }
    expect(fs.existsSync(path.join(consumer.dir, "node_modules", "better-sqlite3"))).toBe(false);
    expect(fs.existsSync(path.join(consumer.dir, "node_modules", "fastify"))).toBe(false);
  }, 180_000);

  it.each(Object.keys(RESOLUTIONS) as (keyof typeof RESOLUTIONS)[])(
    "the docs page's TypeScript program type-checks against the package's declarations with %s module resolution",
    async (resolution) => {
      expect(program).toContain('from "genesys-webmessaging-pulumi"');
      const tsc = await consumer.typecheck(resolution);
      expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
    },
    120_000,
  );

  it("the docs page's recipe sets every config key the program and the emulator need", () => {
    expect(readmeConfigKeys).toEqual(
      [
        "genesys:apiUrl",
        "genesys:clientId",
        "genesys:clientSecret",
        "genesys:allowPrivateNetworks",
        "genesys:webhookSecret",
        "endpointUrl",
        "callbackUrl",
      ].sort(),
    );
  });

  it("pulumi up runs index.ts with no build step, creates the channel and its webhook, and the receiver enrols it", async () => {
    await consumer.initStack(
      {
        "genesys:apiUrl": emulator.url,
        "genesys:clientId": clientId,
        "genesys:allowPrivateNetworks": "true",
        "genesys:auditDir": path.join(consumer.dir, "audit"),
        "gwm-consumer:endpointUrl": "wss://localhost:9443/support",
        "gwm-consumer:callbackUrl": `${receiver.url}/events`,
      },
      { "genesys:clientSecret": clientSecret, "genesys:webhookSecret": webhookSecret },
    );
    const up = await consumer.up();
    expect(up.code, up.stdout + up.stderr).toBe(0);
    // Nobody compiled it: the language host ran the TypeScript source.
    expect(fs.readdirSync(consumer.dir).filter((f) => f.endsWith(".js"))).toEqual([]);

    const brands = await listBrands(emulator.url, clientId, clientSecret);
    expect(brands.map((b) => ({ name: b.name, endpointUrl: b.endpointUrl }))).toEqual([
      { name: "Customer Support", endpointUrl: "wss://localhost:9443/support" },
    ]);
    const outputs = await consumer.outputs();
    expect(outputs.supportId).toBe(brands[0]!.id);

    const hooks = await listWebhooks(emulator.url);
    expect(hooks.map((h) => ({ id: h.id, name: h.name, uri: h.uri }))).toEqual([
      { id: outputs.webhookId, name: "lb-sync-support", uri: `${receiver.url}/events` },
    ]);
    expect(receiver.pool().map((m) => m.brandId)).toEqual([brands[0]!.id]);
  }, 240_000); // ts-node type-checks the program at each run

  it("a type error in index.ts fails pulumi preview with TypeScript's message", async () => {
    const source = fs.readFileSync(path.join(consumer.dir, "index.ts"), "utf8");
    try {
      fs.writeFileSync(path.join(consumer.dir, "index.ts"), source.replace("maxConcurrentSessions: 8000", 'maxConcurrentSessions: "8000"'));
      const preview = await consumer.cli(["preview", "--stack", consumer.stack]);
      expect(preview.code).not.toBe(0);
      expect(preview.stdout + preview.stderr).toMatch(/error TS2322: Type 'string' is not assignable to type 'Input<number>'/);
    } finally {
      fs.writeFileSync(path.join(consumer.dir, "index.ts"), source);
    }
  }, 240_000);

  it("Pulumi.yaml's runtime options reach the program: nodeargs are passed to node, typescript: false runs no ts-node (no type check)", async () => {
    const pulumiYaml = path.join(consumer.dir, "Pulumi.yaml");
    const original = fs.readFileSync(pulumiYaml, "utf8");
    const indexTs = path.join(consumer.dir, "index.ts");
    const source = fs.readFileSync(indexTs, "utf8");
    const marker = path.join(consumer.dir, "nodeargs-ran");
    fs.writeFileSync(path.join(consumer.dir, "probe.cjs"), `require("fs").writeFileSync(${JSON.stringify(marker)}, process.argv[1]);\n`);
    const withOptions = (options: string) =>
      fs.writeFileSync(pulumiYaml, `name: gwm-consumer\nruntime:\n  name: nodejs\n  options:\n${options}`);
    try {
      withOptions('    nodeargs: "--require ./probe.cjs"\n');
      const preview = await consumer.cli(["preview", "--stack", consumer.stack]);
      expect(preview.code, preview.stdout + preview.stderr).toBe(0);
      expect(fs.readFileSync(marker, "utf8")).toMatch(/@pulumi[\\/]pulumi[\\/]cmd[\\/]run/);

      // The type error that ts-node reports (see above) is not reported without it: Node itself
      // then reads index.ts (refusing its syntax, or stripping the types on Node 23.6+).
      withOptions("    typescript: false\n");
      fs.writeFileSync(indexTs, source.replace("maxConcurrentSessions: 8000", 'maxConcurrentSessions: "8000"'));
      const plain = await consumer.cli(["preview", "--stack", consumer.stack]);
      expect(plain.stdout + plain.stderr).not.toMatch(/TS2322|Unable to compile TypeScript/);
    } finally {
      fs.writeFileSync(pulumiYaml, original);
      fs.writeFileSync(indexTs, source);
      fs.rmSync(path.join(consumer.dir, "probe.cjs"), { force: true });
    }
  }, 240_000);

  it("the state's serialized providers load the runtime from the consumer's node_modules, not from this checkout", async () => {
    const providers = (await consumer.deployment()).resources
      .map((r) => r.outputs?.__provider)
      .filter((p): p is string => typeof p === "string");
    expect(providers.length).toBe(2);
    for (const code of providers) {
      // Loaded through node_modules, each provider is serialised as one require of its export.
      expect(code).toMatch(/require\("genesys-webmessaging-pulumi\/providers\/(channel|webhook)"\)/);
      expect(code).not.toContain(repoRoot());
      expect(code.length).toBeLessThan(400);
    }
  });

  it("pulumi destroy removes the channels, the webhook and the load balancer's pool member", async () => {
    const destroy = await consumer.destroy();
    expect(destroy.code, destroy.stdout + destroy.stderr).toBe(0);
    expect(await listBrands(emulator.url, clientId, clientSecret)).toEqual([]);
    expect(await listWebhooks(emulator.url)).toEqual([]);
    expect(receiver.pool()).toEqual([]);
  }, 240_000);
});
