/**
 * `npm run export` against the emulator, with an org built through Genesys's own JS SDK, standing
 * for objects made in the Genesys UI (the SDK routes to the emulator through its gateway setting, as
 * in test/emulator/sdk-conformance.test.ts). Runs the CLI's main in-process: what it writes, what it
 * reports, and what it asked of the API (the emulator's request log).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/export";
import { eventually, start, type Harness } from "../emulator/helpers";
import { SECRET, WEBHOOK_SECRET, buildSdkOrg, configuration } from "./sdk-org";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function runExport(
  args: string[],
  env: Record<string, string> = {},
  tty = false,
  sleep?: (ms: number) => Promise<void>,
): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await main(
    args,
    {
      stdout: { write: (c: string) => (stdout += c) },
      stderr: { write: (c: string) => (stderr += c), isTTY: tty },
      env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET, ...env },
    },
    { policy: { baseDelayMs: 1 }, ...(sleep ? { sleep } : {}) },
  );
  return { code, stdout, stderr };
}

function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
}

describe("npm run export (TypeScript) of an org made through Genesys's JS SDK", () => {
  let h: Harness;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-export-"));
  let ids: Record<string, string> = {};

  beforeAll(async () => {
    h = await start({
      rateLimit: { requests: 100_000, perSeconds: 60 },
      clients: [
        { clientId: "dev-client", clientSecret: SECRET },
        { clientId: "no-webdeployments", clientSecret: SECRET, scopes: ["webchat:brand:read", "webhooks:webhook:write"] },
      ],
      webDeployments: { activationDelayMs: 20, deletionDelayMs: 20, draftSettleMs: 20 },
    });
    ids = await buildSdkOrg(h);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("writes a project that adopts every object by reference, after reading only (GET and token calls)", async () => {
    await h.admin("DELETE", "/requests");
    const out = path.join(tmp, "first", "acme-org");
    const run = await runExport(["--out", out, "--api-url", h.url, "--client-id", "dev-client"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);

    const requests = (await h.admin("GET", "/requests")).json.requests as { method: string; path: string }[];
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => r.method !== "GET" && r.path !== "/oauth/token")).toEqual([]);

    const files = filesOf(out);
    expect(Object.keys(files).sort()).toEqual([
      ".gitignore",
      "Pulumi.yaml",
      "README.md",
      "import.json",
      "index.ts",
      "package.json",
      "tsconfig.json",
    ]);
    const program = files["index.ts"]!;
    // Every configuration, deployment, channel and webhook is adopted by id.
    for (const name of ["Support", "Sales", "Careers", "webhook"]) expect(program).toContain(`adoptExistingId: "${ids[name]}"`);
    expect(program.match(/new WebDeployment\(/g)).toHaveLength(5);
    expect(program.match(/adoptExistingId:/g)).toHaveLength(3 + 5 + 2 + 1);
    // Deployments refer to their configuration's outputs, never a copied configuration id ...
    expect(program).toContain("configuration: { id: cfgSupport.configurationId, version: cfgSupport.version },");
    expect(program).toContain("configuration: { id: cfgSales.configurationId, version: cfgSales.version },");
    expect(program).not.toMatch(/configuration: \{ id: "/);
    // ... except the version of one that serves an older version than the latest, pinned as it is.
    expect(program).toContain('configuration: { id: cfgSupport.configurationId, version: "1" },');
    expect(program).toContain("allowAllDomains: true,");
    // The configuration with unpublished draft edits is adopted at its published version, and its
    // draft kept: nothing publishes or overwrites it.
    expect(program).toContain(`  adoptExistingId: "${ids.Careers}",\n  keepUnpublishedDraft: true,\n});`);
    expect(program.match(/keepUnpublishedDraft/g)).toHaveLength(2); // the comment and the one declaration
    expect(program).toContain("#118833");
    expect(program).not.toContain("#999999");
    expect(run.stdout).toMatch(/Careers: published version 1 adopted, draft kept/);
    expect(files["README.md"]).toContain(`"Careers" (${ids.Careers}): published version 1 adopted, draft ahead of it kept`);
    // The channels' endpoints are on this machine: adoption's endpoint check passes only with private networks allowed.
    expect(files["README.md"]).toContain("pulumi config set genesys:allowPrivateNetworks true");
    expect(files["README.md"]).toContain(`"Web chat EU" (${ids.brand}): wss://localhost:9443/eu`);
    // The webhook follows its channel by reference; its secret is a config key, never a value.
    expect(program).toContain("brandId: channelWebChatEu.brandId,");
    expect(files["README.md"]).toContain("pulumi config set --secret genesys:webhookSecret");
    for (const content of Object.values(files)) {
      expect(content).not.toContain(WEBHOOK_SECRET);
      expect(content).not.toContain(SECRET);
    }
    const imports = JSON.parse(files["import.json"]!) as { resources: { type: string; name: string; id: string }[] };
    expect(imports.resources.map((r) => r.type).sort()).toEqual([
      ...Array(2).fill("genesys:index:LoadBalancerWebhook").slice(0, 1),
      ...Array(5).fill("genesys:index:WebDeployment"),
      ...Array(3).fill("genesys:index:WebDeploymentConfiguration"),
      ...Array(2).fill("genesys:index:WebMessagingChannel"),
    ]);
    expect(imports.resources.find((r) => r.id === ids.Careers)?.name).toBe("careers");
    expect(imports.resources.map((r) => r.name)).toContain("partners-eu");
    const pkg = JSON.parse(files["package.json"]!);
    expect(pkg.dependencies["genesys-webmessaging-pulumi"]).toBe(`file:${path.resolve(__dirname, "..", "..")}`);
    expect(pkg.dependencies["@pulumi/pulumi"]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(run.stdout).toMatch(/web deployments\s+5\s+0/);
  });

  it.each(["typescript", "yaml", "go"])("gives byte-identical files when the same org is exported twice in %s", async (language) => {
    const a = path.join(tmp, `twice-a-${language}`, "acme-org");
    const b = path.join(tmp, `twice-b-${language}`, "acme-org");
    expect((await runExport(["--out", a, "--language", language, "--api-url", h.url, "--client-id", "dev-client"])).code).toBe(0);
    expect((await runExport(["--out", b, "--language", language, "--api-url", h.url, "--client-id", "dev-client"])).code).toBe(0);
    expect(Object.keys(filesOf(a)).length).toBeGreaterThan(2);
    expect(filesOf(b)).toEqual(filesOf(a));
  });

  it("writes a YAML project on the provider plugin: every object adopted, deployments and webhooks by reference", async () => {
    const out = path.join(tmp, "yaml", "acme-org");
    const run = await runExport(["--out", out, "--language", "yaml", "--api-url", h.url, "--client-id", "dev-client"]);
    expect(run.code, run.stderr).toBe(0);
    const files = filesOf(out);
    expect(Object.keys(files).sort()).toEqual(["Pulumi.yaml", "README.md", "import.json"]);
    const program = files["Pulumi.yaml"]!;
    expect(program).toContain("runtime: yaml\nplugins:\n  providers:\n    - name: genesys\n");
    expect(program).toContain(`      path: ${JSON.stringify(path.resolve(__dirname, "..", "..", "bin"))}\n`);
    expect(program.match(/type: genesys:index:WebDeployment\n/g)).toHaveLength(5);
    expect(program.match(/adoptExistingId:/g)).toHaveLength(3 + 5 + 2 + 1);
    for (const name of ["Support", "Sales", "Careers", "webhook"]) expect(program).toContain(`adoptExistingId: "${ids[name]}"`);
    expect(program).toContain(
      '      configuration:\n        id: "${cfgSupport.configurationId}"\n        version: "${cfgSupport.version}"\n',
    );
    expect(program).toContain('      configuration:\n        id: "${cfgSupport.configurationId}"\n        version: "1"\n');
    expect(program).not.toMatch(/ id: "[0-9a-f-]{36}"/);
    expect(program).toContain('brandId: "${channelWebChatEu.brandId}"');
    expect(program).toContain(`  cfgCareers:\n    type: genesys:index:WebDeploymentConfiguration\n    name: "careers"\n`);
    expect(program).toContain(`      adoptExistingId: "${ids.Careers}"\n      keepUnpublishedDraft: true\n`);
    expect(program).not.toContain("#999999");
    const readme = files["README.md"]!;
    expect(readme).toContain("pulumi config set --secret genesys:webhookSecret");
    expect(readme).toContain("## How this program adopts");
    expect(readme).not.toContain("npm install");
    for (const content of Object.values(files)) {
      expect(content).not.toContain(WEBHOOK_SECRET);
      expect(content).not.toContain(SECRET);
    }
    const typescript = path.join(tmp, "yaml-ts", "acme-org");
    expect((await runExport(["--out", typescript, "--api-url", h.url, "--client-id", "dev-client"])).code).toBe(0);
    expect(files["import.json"]).toBe(filesOf(typescript)["import.json"]);
  });

  it("writes a Go project on the generated Go SDK, typed from the package schema, deployments and webhooks by reference", async () => {
    const out = path.join(tmp, "go", "acme-org");
    const run = await runExport(["--out", out, "--language", "go", "--api-url", h.url, "--client-id", "dev-client"]);
    expect(run.code, run.stderr).toBe(0);
    const files = filesOf(out);
    expect(Object.keys(files).sort()).toEqual(["Pulumi.yaml", "README.md", "go.mod", "go.sum", "import.json", "main.go", "program.go"]);
    const root = path.resolve(__dirname, "..", "..");
    expect(files["Pulumi.yaml"]).toContain(
      `runtime: go\nplugins:\n  providers:\n    - name: genesys\n      path: ${JSON.stringify(path.join(root, "bin"))}\n`,
    );
    expect(files["go.mod"]).toMatch(/^module acme-org\n/);
    expect(files["go.mod"]).toContain(`replace genesys-webmessaging/sdk/go => ${path.join(root, "sdk", "go")}\n`);
    expect(files["go.sum"]).toBe(fs.readFileSync(path.join(root, "examples", "go", "go.sum"), "utf8"));
    expect(files["main.go"]).toContain("pulumi.Run(program)");
    const program = files["program.go"]!;
    expect(program).toContain("func program(ctx *pulumi.Context) error {");
    expect(program.match(/genesys\.NewWebDeployment\(/g)).toHaveLength(5);
    expect(program.match(/AdoptExistingId:/g)).toHaveLength(3 + 5 + 2 + 1);
    // The fields as written, without gofmt's alignment after each key.
    const fields = program.replace(/: +/g, ": ");
    expect(fields).toContain(
      "Configuration: genesys.WebDeploymentConfigurationRefArgs{Id: cfgSupport.ConfigurationId, Version: cfgSupport.Version},",
    );
    expect(fields).toContain(
      'Configuration: genesys.WebDeploymentConfigurationRefArgs{Id: cfgSupport.ConfigurationId, Version: pulumi.String("1")},',
    );
    expect(fields).toContain("BrandId: channelWebChatEu.BrandId,");
    expect(fields).toContain(`AdoptExistingId: pulumi.String("${ids.Careers}"),\n\t\tKeepUnpublishedDraft: pulumi.Bool(true),\n\t})`);
    expect(fields).toContain("RetryCount: pulumi.Float64(3),");
    expect(fields).toContain("SideSpace: pulumi.Int(10),");
    for (const content of Object.values(files)) {
      expect(content).not.toContain(WEBHOOK_SECRET);
      expect(content).not.toContain(SECRET);
    }
  });

  it("keeps only the objects whose names the filters keep, and lists the rest as skipped", async () => {
    const out = path.join(tmp, "filtered");
    const run = await runExport([
      "--out",
      out,
      "--api-url",
      h.url,
      "--client-id",
      "dev-client",
      "--include",
      "^(Sales|Shop|Partners.*|Web chat EU|LB sync EU)$",
    ]);
    expect(run.code).toBe(0);
    const program = filesOf(out)["index.ts"]!;
    expect(program.match(/new WebDeployment\(/g)).toHaveLength(2);
    expect(program).not.toContain("Support");
    expect(program).not.toContain("Web chat US");
    expect(run.stdout).toMatch(/web deployment configurations\s+Support\s+filtered out \(does not match --include/);
  });

  it("refuses a deployment kept while its configuration is filtered out, naming both", async () => {
    const run = await runExport([
      "--out",
      path.join(tmp, "refused"),
      "--api-url",
      h.url,
      "--client-id",
      "dev-client",
      "--exclude",
      "^Sales$",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`web deployment "Shop" is kept but its configuration "Sales" is filtered out (matches --exclude ^Sales$)`);
    expect(fs.existsSync(path.join(tmp, "refused"))).toBe(false);
  });

  it("writes a progress line per kind to a terminal, and none to a pipe", async () => {
    const tty = await runExport(["--out", path.join(tmp, "tty"), "--api-url", h.url, "--client-id", "dev-client"], {}, true);
    expect(tty.stderr.split("\n").filter(Boolean)).toEqual([
      "read 3 web deployment configurations",
      "read 5 web deployments",
      "read 2 channels",
      "read 1 webhooks",
    ]);
  });

  it("names the missing scope when the OAuth client may not read web deployments", async () => {
    const run = await runExport(["--out", path.join(tmp, "noscope"), "--api-url", h.url, "--client-id", "no-webdeployments"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the OAuth client "no-webdeployments" may not list configurations`);
    expect(run.stderr).toContain(`"webdeployments:readonly"`);
    expect(run.stderr).not.toContain(SECRET);
  });

  it("finishes through a storm of 429s, waiting as each Retry-After says", async () => {
    const fault = await h.admin("POST", "/faults", { path: "/api/v2/webdeployments", status: 429, retryAfter: 1, count: 3 });
    const waits: number[] = [];
    const sleep = (ms: number) => {
      waits.push(ms);
      return new Promise<void>((resolve) => setTimeout(resolve, ms));
    };
    const run = await runExport(["--out", path.join(tmp, "storm"), "--api-url", h.url, "--client-id", "dev-client"], {}, false, sleep);
    expect(run.code).toBe(0);
    expect(waits.filter((ms) => ms >= 1000)).toHaveLength(3);
    expect(run.stdout).toMatch(/web deployments\s+5\s+0/);
    const requests = (await h.admin("GET", "/requests")).json.requests as { fault?: string; status: number }[];
    expect(requests.filter((r) => r.fault === fault.json.id && r.status === 429)).toHaveLength(3);
    await h.admin("DELETE", "/faults");
  });

  it("refuses bad arguments with usage and exit 2, and a secret is never a flag", async () => {
    const python = await runExport([
      "--out",
      path.join(tmp, "py"),
      "--language",
      "python",
      "--api-url",
      h.url,
      "--client-id",
      "dev-client",
    ]);
    expect(python.code).toBe(2);
    expect(python.stderr).toContain(`export: --language must be typescript, yaml or go (got "python")`);
    expect(fs.existsSync(path.join(tmp, "py"))).toBe(false);
    const flag = await runExport(["--out", path.join(tmp, "x"), "--client-secret", "s", "--api-url", h.url, "--client-id", "dev-client"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(`export: unknown option "--client-secret"`);
    expect(flag.stderr).toContain("usage: npm run export");
    const missing = await runExport(["--out"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("export: --out needs a value");
    const noSecret = await main(["--out", path.join(tmp, "y"), "--api-url", h.url, "--client-id", "dev-client"], {
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: {},
    });
    expect(noSecret).toBe(2);
    const badRegex = await runExport(["--out", path.join(tmp, "z"), "--api-url", h.url, "--client-id", "dev-client", "--include", "("]);
    expect(badRegex.code).toBe(2);
    expect(badRegex.stderr).toContain(`--include "(" is not a valid regular expression`);
  });
});

describe("npm run export of an org of 300 deployments", () => {
  let h: Harness;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-export-300-"));
  beforeAll(async () => {
    h = await start({
      rateLimit: { requests: 100_000, perSeconds: 60 },
      clients: [{ clientId: "dev-client", clientSecret: SECRET }],
      webDeployments: { activationDelayMs: 20, deletionDelayMs: 20, draftSettleMs: 20 },
    });
    const token = await h.token("dev-client", SECRET);
    const cfg = await h.api("POST", "/api/v2/webdeployments/configurations", { token, body: configuration("Fleet", "#000000") });
    const id = cfg.json.id as string;
    await eventually(async () =>
      (await h.api("GET", `/api/v2/webdeployments/configurations/${id}/versions/draft`, { token })).json.status === "Active"
        ? true
        : undefined,
    );
    expect((await h.api("POST", `/api/v2/webdeployments/configurations/${id}/versions/draft/publish`, { token })).status).toBe(200);
    for (let i = 0; i < 300; i++) {
      const res = await h.api("POST", "/api/v2/webdeployments/deployments", {
        token,
        body: { name: `Site ${String(i).padStart(3, "0")}`, allowedDomains: [`s${i}.example.com`], configuration: { id, version: "1" } },
      });
      expect(res.status).toBe(200);
    }
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("pages through every deployment", async () => {
    const run = await runExport(["--out", tmp, "--api-url", h.url, "--client-id", "dev-client"]);
    expect(run.code).toBe(0);
    const imports = JSON.parse(fs.readFileSync(path.join(tmp, "import.json"), "utf8")) as { resources: { type: string; name: string }[] };
    const deployments = imports.resources.filter((r) => r.type === "genesys:index:WebDeployment");
    expect(deployments).toHaveLength(300);
    expect(new Set(deployments.map((d) => d.name)).size).toBe(300);
    const pages = ((await h.admin("GET", "/requests")).json.requests as { method: string; path: string }[]).filter(
      (r) => r.method === "GET" && r.path.split("?")[0] === "/api/v2/webdeployments/deployments",
    );
    expect(pages).toHaveLength(3);
  }, 60_000);
});
