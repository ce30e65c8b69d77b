/**
 * Audit trail CLI: `npm run audit -- <verify|summary|report|export|init> [--dir DIR | --url postgres://...] [--since DATE] [--out FILE] [--json]`
 * (the build's `node dist/cli/audit.js` is the same). This file is the command: its arguments, the
 * PostgreSQL export and the exit codes; audit/text.ts and audit/html.ts render the metrics.
 * With --url (team mode) the org's trail is exported from PostgreSQL to JSON Lines in a temporary
 * folder first, so the very same verifier and metrics run on it; `export` keeps that copy, `init`
 * applies the table and its append-only triggers.
 *
 * Exit codes: 0 ok, 1 the trail failed verification (or is missing), 2 usage error.
 */
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { AUDIT_SCHEMA_SQL, exportAuditTrail, initAuditSchema, summarize, verifyTrail } from "../provider/audit";
import { redactedAuditUrl } from "../provider/audit/postgres";
import { renderHtml } from "./audit/html";
import { formatSummary } from "./audit/text";
import { UsageError, parseCommandLine } from "./args";

export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
  env: Record<string, string | undefined>;
}

const USAGE = `usage: audit <command> [--dir DIR | --url postgres://...] [--since YYYY-MM-DD|ISO-TIME]
commands:
  verify                 check the hash chain across all day files
  summary [--json]       attempts, successes, failures, latency and provisioning success rate
  report --out FILE      self-contained HTML report
  export --url URL --out DIR   the PostgreSQL trail as JSON Lines day files (verify them with --dir DIR)
  init --url URL         create the PostgreSQL trail's table and append-only triggers (prints the SQL)
DIR defaults to $AUDIT_DIR, then ./audit-logs; --url reads team mode's trail in PostgreSQL instead`;

interface Args {
  command: string;
  dir: string;
  url?: string;
  out?: string;
  since?: Date;
  json: boolean;
}

const OPTIONS = {
  dir: { type: "string" },
  url: { type: "string" },
  out: { type: "string" },
  since: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function parseArgs(argv: readonly string[], env: CliIo["env"]): Args {
  const { values, positionals } = parseCommandLine(argv, OPTIONS);
  if (values.help) throw new UsageError("");
  const [command, ...extra] = positionals;
  if (!command) throw new UsageError("missing command");
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}": give one command`);
  const dir = values.dir ?? (env.AUDIT_DIR || "./audit-logs");
  let since: Date | undefined;
  if (values.since !== undefined) {
    since = new Date(values.since);
    if (Number.isNaN(since.getTime())) throw new UsageError(`--since: not a date: ${values.since}`);
  }
  const { out, url } = values;
  if (url !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError("--url must be a postgres:// URL");
    if (values.dir !== undefined) throw new UsageError("--dir and --url name two different trails: give one");
  } else if (command === "export" || command === "init") {
    throw new UsageError(`${command} needs --url postgres://...`);
  }
  return {
    command,
    dir,
    json: values.json === true,
    ...(url !== undefined ? { url } : {}),
    ...(out !== undefined ? { out } : {}),
    ...(since ? { since } : {}),
  };
}

async function dirExists(dir: string): Promise<boolean> {
  return fsp.stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv, io.env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message) io.stderr.write(`audit: ${err.message}\n`);
    io.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (args.url) {
    if (args.command === "init") {
      await initAuditSchema(args.url);
      io.stdout.write(`${AUDIT_SCHEMA_SQL}\n-- applied to ${redactedAuditUrl(args.url)}\n`);
      return 0;
    }
    if (args.command === "export") {
      if (!args.out) {
        io.stderr.write(`audit: export needs --out DIR\n${USAGE}\n`);
        return 2;
      }
      const n = await exportAuditTrail(args.url, path.resolve(args.out));
      io.stdout.write(`exported ${n} records from ${redactedAuditUrl(args.url)} to ${path.resolve(args.out)}\n`);
      return 0;
    }
    const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "audit-export-"));
    try {
      await exportAuditTrail(args.url, tmp);
      const { url: _url, ...local } = args;
      return await run({ ...local, dir: tmp }, io);
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  }
  return run(args, io);
}

/** The commands that read a trail on disk (verify, summary, report). */
async function run(args: Args, io: CliIo): Promise<number> {
  const dir = path.resolve(args.dir);
  if (!(await dirExists(dir))) {
    io.stderr.write(`audit: no audit directory at ${dir}\n`);
    return 1;
  }
  const sinceOpt = args.since ? { since: args.since } : {};

  switch (args.command) {
    case "verify": {
      const result = await verifyTrail(dir);
      if (result.ok) {
        io.stdout.write(`OK: ${result.records} records in ${result.files.length} files, chain intact\n`);
        return 0;
      }
      io.stderr.write(`FAILED: ${result.problems.length} problem(s) in ${result.records} records across ${result.files.length} files\n`);
      for (const p of result.problems) {
        io.stderr.write(`  ${p.file}:${p.line}${p.seq !== undefined ? ` (seq ${p.seq})` : ""}: ${p.reason}\n`);
      }
      return 1;
    }
    case "summary": {
      const metrics = await summarize(dir, sinceOpt);
      io.stdout.write(args.json ? `${JSON.stringify(metrics)}\n` : formatSummary(metrics, dir));
      return 0;
    }
    case "report": {
      if (!args.out) {
        io.stderr.write(`audit: report needs --out FILE.html\n${USAGE}\n`);
        return 2;
      }
      const [metrics, verified] = await Promise.all([summarize(dir, sinceOpt), verifyTrail(dir)]);
      const html = renderHtml(metrics, {
        dir,
        generatedAt: new Date(),
        verified: { ok: verified.ok, records: verified.records, problems: verified.problems.length },
      });
      await fsp.writeFile(args.out, html, "utf8");
      io.stdout.write(`wrote ${path.resolve(args.out)}\n`);
      return 0;
    }
    default:
      io.stderr.write(`audit: unknown command ${args.command}\n${USAGE}\n`);
      return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`audit: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
