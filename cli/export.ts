/**
 * Exports what an org holds into a ready Pulumi project that adopts it:
 *
 *   npm run export -- --out DIR [--language typescript|yaml|go] [--include REGEX] [--exclude REGEX]
 *                     [--region R | --api-url URL] [--client-id ID]
 *
 * The OAuth client secret comes from GENESYSCLOUD_OAUTHCLIENT_SECRET only: a flag would leave it in
 * shell history and process listings. The org is read through the provider's own client, so the
 * export is paced, retried and redacted like a `pulumi up`. Exit codes: 0 exported, 1 the org could
 * not be read, 2 bad arguments (usage on stderr).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createGenesysClient, type GenesysClientOptions } from "../provider/genesys";
import { UsageError, parseOptions } from "./args";
import { KIND_LABELS, type Kind, type Org } from "./export/model";
import { ExportError, readOrg } from "./export/read";
import { type Language, renderTypescript, sortSkipped } from "./export/render";
import { goModulesOf, type PackageSchema, renderGo } from "./export/render-go";
import { renderYaml } from "./export/render-yaml";
import { FilterError, type Filters, select } from "./export/select";

export interface ExportIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
}

const USAGE = `usage: npm run export -- --out DIR [--language typescript|yaml|go] [--include REGEX] [--exclude REGEX]
                         [--region R | --api-url URL] [--client-id ID]
  --out        folder that becomes the Pulumi project (created; the files it writes are replaced)
  --language   typescript (default: the dynamic resources), yaml or go (the provider plugin in this checkout's bin/)
  --include    keep only objects whose name matches this regular expression
  --exclude    leave out objects whose name matches this regular expression
  --region     Genesys Cloud region (eu-west-1, us-east-1, ...); default GENESYSCLOUD_REGION
  --api-url    API base URL instead of a region (the emulator: http://127.0.0.1:8787); default GENESYSCLOUD_API_URL
  --client-id  OAuth client id; default GENESYSCLOUD_OAUTHCLIENT_ID
The client secret is read from GENESYSCLOUD_OAUTHCLIENT_SECRET, never from a flag.`;

const LANGUAGES: readonly Language[] = ["typescript", "yaml", "go"];

interface ExportArgs {
  out: string;
  language: Language;
  filters: Filters;
  region?: string;
  apiUrl?: string;
  clientId: string;
  clientSecret: string;
}

function regex(flag: string, source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch (err) {
    throw new UsageError(`${flag} "${source}" is not a valid regular expression: ${(err as Error).message}`);
  }
}

function parseArgs(argv: readonly string[], env: ExportIo["env"]): ExportArgs {
  const values = parseOptions(argv, {
    out: { type: "string" },
    language: { type: "string" },
    include: { type: "string" },
    exclude: { type: "string" },
    region: { type: "string" },
    "api-url": { type: "string" },
    "client-id": { type: "string" },
  });
  const language = (values.language ?? "typescript") as Language;
  if (!LANGUAGES.includes(language)) throw new UsageError(`--language must be typescript, yaml or go (got "${values.language}")`);
  if (!values.out) throw new UsageError("--out is required: the folder that becomes the Pulumi project");
  if (values.region && values["api-url"]) throw new UsageError("give --region or --api-url, not both");
  const region = values.region ?? (values["api-url"] ? undefined : env.GENESYSCLOUD_REGION);
  const apiUrl = values["api-url"] ?? (region ? undefined : env.GENESYSCLOUD_API_URL);
  if (!region && !apiUrl)
    throw new UsageError("say which org: --region R or --api-url URL (or GENESYSCLOUD_REGION / GENESYSCLOUD_API_URL)");
  const clientId = values["client-id"] ?? env.GENESYSCLOUD_OAUTHCLIENT_ID;
  if (!clientId) throw new UsageError("--client-id is required (or GENESYSCLOUD_OAUTHCLIENT_ID)");
  const clientSecret = env.GENESYSCLOUD_OAUTHCLIENT_SECRET;
  if (!clientSecret) throw new UsageError("set GENESYSCLOUD_OAUTHCLIENT_SECRET to the OAuth client's secret (it is never a flag)");
  return {
    out: values.out,
    language,
    filters: { include: regex("--include", values.include), exclude: regex("--exclude", values.exclude) },
    ...(region ? { region } : {}),
    ...(apiUrl ? { apiUrl } : {}),
    clientId,
    clientSecret,
  };
}

/** The checkout that runs this file (cli/ or dist/cli/): the generated project depends on it. */
const PACKAGE_DIR = packageDir(__dirname);

function packageDir(from: string): string {
  let dir = from;
  while (path.basename(dir) === "cli" || path.basename(dir) === "dist") dir = path.dirname(dir);
  return dir;
}

function installedVersion(name: string): string {
  const file = path.join(PACKAGE_DIR, "node_modules", ...name.split("/"), "package.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

function projectNameOf(out: string): string {
  const base = path
    .basename(path.resolve(out))
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "-")
    .replace(/^[-.]+|-+$/g, "");
  return base || "genesys-org";
}

function render(org: Org, args: ExportArgs): Map<string, string> {
  const projectName = projectNameOf(args.out);
  const target = { ...(args.region ? { region: args.region } : { apiUrl: args.apiUrl }), clientId: args.clientId };
  const pluginDir = path.join(PACKAGE_DIR, "bin");
  switch (args.language) {
    case "yaml":
      return renderYaml(org, { projectName, target, pluginDir });
    case "go":
      return renderGo(org, {
        projectName,
        target,
        pluginDir,
        schema: JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "sdk", "schema.json"), "utf8")) as PackageSchema,
        sdkDir: path.join(PACKAGE_DIR, "sdk", "go"),
        goMod: goModulesOf(PACKAGE_DIR),
      });
    case "typescript":
      return renderTypescript(org, {
        packageDir: PACKAGE_DIR,
        versions: {
          pulumi: installedVersion("@pulumi/pulumi"),
          typescript: installedVersion("typescript"),
          typesNode: installedVersion("@types/node"),
        },
        projectName,
        target,
      });
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

function report(org: Org): string {
  const kinds: Kind[] = ["configuration", "deployment", "channel", "webhook"];
  const counts: Record<Kind, unknown[]> = {
    configuration: org.configurations,
    deployment: org.deployments,
    channel: org.channels,
    webhook: org.webhooks,
  };
  const skipped = sortSkipped(org.skipped);
  let text = table([
    ["KIND", "EXPORTED", "SKIPPED"],
    ...kinds.map((k) => [KIND_LABELS[k], String(counts[k].length), String(skipped.filter((s) => s.kind === k).length)]),
  ]);
  if (skipped.length > 0) {
    text +=
      "\nskipped:\n" +
      table([["KIND", "NAME", "WHY"], ...skipped.map((s) => [KIND_LABELS[s.kind], s.name === "*" ? "(all)" : s.name, s.reason])]);
  }
  const ahead = org.configurations.filter((c) => c.draftAhead);
  if (ahead.length > 0) {
    text +=
      "\ndraft ahead of the published version (adopted at that version with keepUnpublishedDraft; the draft is left as it is):\n" +
      ahead.map((c) => `  ${c.name}: published version ${c.version} adopted, draft kept\n`).join("");
  }
  return text;
}

export async function main(argv: readonly string[], io: ExportIo, clientOptions: Partial<GenesysClientOptions> = {}): Promise<number> {
  let args: ExportArgs;
  try {
    args = parseArgs(argv, io.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`export: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  const client = createGenesysClient({
    clientId: args.clientId,
    clientSecret: args.clientSecret,
    ...(args.region ? { region: args.region } : {}),
    ...(args.apiUrl ? { apiUrl: args.apiUrl } : {}),
    ...clientOptions,
  });
  const progress = io.stderr.isTTY === true;
  let org: Org;
  try {
    const read = await readOrg(client, {
      clientId: args.clientId,
      onKind: (kind, count) => {
        if (progress) io.stderr.write(`read ${count} ${KIND_LABELS[kind]}\n`);
      },
    });
    org = select(read, args.filters);
  } catch (err) {
    if (err instanceof FilterError) {
      io.stderr.write(`export: ${err.message}\n`);
      return 2;
    }
    if (err instanceof ExportError) {
      io.stderr.write(`export: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const files = render(org, args);
  fs.mkdirSync(args.out, { recursive: true });
  for (const [name, content] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) fs.writeFileSync(path.join(args.out, name), content);
  io.stdout.write(report(org));
  io.stdout.write(`\nwrote ${[...files.keys()].sort().join(", ")} to ${args.out}; next: its README.md\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`export: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
