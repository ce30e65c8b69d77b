/**
 * Audit trail CLI: `node dist/scripts/audit.js <verify|summary|report> [--dir DIR | --url postgres://...] [--since DATE] [--out FILE] [--json]`.
 * With --url (team mode) the org's trail is exported from PostgreSQL to JSON Lines in a temporary
 * folder first, so the very same verifier and metrics run on it; `export` keeps that copy, `init`
 * applies the table and its append-only triggers.
 *
 * Exit codes: 0 ok, 1 the trail failed verification (or is missing), 2 usage error.
 */
import { promises as fsp } from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { AUDIT_SCHEMA_SQL, exportAuditTrail, initAuditSchema, summarize, verifyTrail, type AuditMetrics } from "../provider/audit";
import { redactedAuditUrl } from "../provider/audit/postgres";

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

class UsageError extends Error {}

interface Args {
  command: string;
  dir: string;
  url?: string;
  out?: string;
  since?: Date;
  json: boolean;
}

function parseArgs(argv: readonly string[], env: CliIo["env"]): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (name === "json" || name === "help") {
      flags.set(name, true);
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === "") throw new UsageError(`--${name} needs a value`);
    if (!["dir", "url", "out", "since"].includes(name)) throw new UsageError(`unknown option --${name}`);
    flags.set(name, value);
  }
  if (flags.has("help")) throw new UsageError("");
  const [command, ...extra] = positional;
  if (!command) throw new UsageError("missing command");
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const dirFlag = flags.get("dir");
  const dir = typeof dirFlag === "string" ? dirFlag : env.AUDIT_DIR || "./audit-logs";
  const sinceRaw = flags.get("since");
  let since: Date | undefined;
  if (typeof sinceRaw === "string") {
    since = new Date(sinceRaw);
    if (Number.isNaN(since.getTime())) throw new UsageError(`--since: not a date: ${sinceRaw}`);
  }
  const out = flags.get("out");
  const url = flags.get("url");
  if (typeof url === "string") {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError("--url must be a postgres:// URL");
    if (flags.has("dir")) throw new UsageError("--dir and --url name two different trails: give one");
  } else if (command === "export" || command === "init") {
    throw new UsageError(`${command} needs --url postgres://...`);
  }
  return {
    command,
    dir,
    json: flags.get("json") === true,
    ...(typeof url === "string" ? { url } : {}),
    ...(typeof out === "string" ? { out } : {}),
    ...(since ? { since } : {}),
  };
}

async function dirExists(dir: string): Promise<boolean> {
  return fsp.stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

const ms = (v: number): string => v.toFixed(1);
const pct = (v: number): string => `${(v * 100).toFixed(1)} %`;

function provisioningCount(m: AuditMetrics): { attempts: number; failures: number } {
  let attempts = 0;
  let failures = 0;
  for (const action of ["create", "adopt"]) {
    attempts += m.byAction[action]?.count ?? 0;
    failures += m.byAction[action]?.failures ?? 0;
  }
  return { attempts, failures };
}

/** Rate and its basis as separate cells, so the number lines up with the others. */
function provisioningCells(m: AuditMetrics): [string, string] {
  const p = provisioningCount(m);
  return p.attempts === 0
    ? ["n/a", "no create/adopt"]
    : [pct(m.provisioningSuccessRate), `${p.attempts - p.failures}/${p.attempts} create/adopt`];
}

/** Pads cells so columns line up: "r" columns right-aligned (numbers), "l" left-aligned (text). */
export function formatTable(header: string[], rows: string[][], align: ("l" | "r")[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const fmt = (cells: string[]): string =>
    header
      .map((_, c) => {
        const cell = cells[c] ?? "";
        return align[c] === "r" ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number);
      })
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [fmt(header), rule, ...rows.map(fmt)].join("\n");
}

export function formatSummary(m: AuditMetrics, dir: string): string {
  const overview = formatTable(
    ["Metric", "Value", ""],
    [
      ["Attempts", String(m.totalAttempts), "audited operations"],
      ["Successes", String(m.successes)],
      ["Failures", String(m.failures)],
      ["Average latency (ms)", ms(m.averageLatencyMs)],
      ["p95 latency (ms)", ms(m.p95LatencyMs)],
      ["Provisioning success rate", ...provisioningCells(m)],
    ],
    ["l", "r", "l"],
  );
  const actions = Object.entries(m.byAction);
  const perAction =
    actions.length === 0
      ? "(no records)"
      : formatTable(
          ["Action", "Count", "Failures", "Avg ms", "p95 ms"],
          actions.map(([action, a]) => [action, String(a.count), String(a.failures), ms(a.averageLatencyMs), ms(a.p95LatencyMs)]),
          ["l", "r", "r", "r", "r"],
        );
  return `Audit summary: ${dir}\n\n${overview}\n\nBy action\n\n${perAction}\n`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/** Horizontal bars, average and p95 per action, scaled to the slowest p95. */
export function latencySvg(m: AuditMetrics): string {
  const actions = Object.entries(m.byAction);
  const labelW = 130;
  const chartW = 480;
  const rowH = 34;
  const top = 28;
  const height = top + Math.max(1, actions.length) * rowH + 24;
  const width = labelW + chartW + 90;
  const max = Math.max(1, ...actions.map(([, a]) => a.p95LatencyMs), ...actions.map(([, a]) => a.averageLatencyMs));
  const scale = (v: number): number => Math.max(1, Math.round((v / max) * chartW));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="Latency by action">`,
    `<title>Latency by action (ms)</title>`,
    `<rect x="${labelW}" y="6" width="12" height="10" fill="#4e79a7"/><text x="${labelW + 16}" y="15" font-size="11">average</text>`,
    `<rect x="${labelW + 80}" y="6" width="12" height="10" fill="#f28e2b"/><text x="${labelW + 96}" y="15" font-size="11">p95</text>`,
  ];
  if (actions.length === 0) parts.push(`<text x="${labelW}" y="${top + 16}" font-size="12">no records</text>`);
  actions.forEach(([action, a], i) => {
    const y = top + i * rowH;
    parts.push(
      `<text x="${labelW - 8}" y="${y + 18}" font-size="12" text-anchor="end">${escapeHtml(action)}</text>`,
      `<rect x="${labelW}" y="${y + 4}" width="${scale(a.averageLatencyMs)}" height="11" fill="#4e79a7"/>`,
      `<text x="${labelW + scale(a.averageLatencyMs) + 4}" y="${y + 14}" font-size="10">${ms(a.averageLatencyMs)}</text>`,
      `<rect x="${labelW}" y="${y + 17}" width="${scale(a.p95LatencyMs)}" height="11" fill="#f28e2b"/>`,
      `<text x="${labelW + scale(a.p95LatencyMs) + 4}" y="${y + 27}" font-size="10">${ms(a.p95LatencyMs)}</text>`,
    );
  });
  parts.push(`<line x1="${labelW}" y1="${top}" x2="${labelW}" y2="${height - 20}" stroke="#333"/>`, `</svg>`);
  return parts.join("\n");
}

export function renderHtml(
  m: AuditMetrics,
  meta: { dir: string; generatedAt: Date; verified: { ok: boolean; records: number; problems: number } },
): string {
  const row = (k: string, v: string): string => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`;
  const actionRows = Object.entries(m.byAction)
    .map(
      ([action, a]) =>
        `<tr><td>${escapeHtml(action)}</td><td>${a.count}</td><td>${a.failures}</td><td>${ms(a.averageLatencyMs)}</td><td>${ms(a.p95LatencyMs)}</td></tr>`,
    )
    .join("\n");
  const chain = meta.verified.ok
    ? `chain intact (${meta.verified.records} records)`
    : `CHAIN BROKEN: ${meta.verified.problems} problem(s), run "audit verify"`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Audit report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .3rem .7rem; text-align: right; }
th[scope=row], td:first-child { text-align: left; }
.bad { color: #b00020; font-weight: bold; } .good { color: #1b5e20; }
</style>
</head>
<body>
<h1>Audit report</h1>
<p>Directory: <code>${escapeHtml(meta.dir)}</code> &middot; generated ${escapeHtml(meta.generatedAt.toISOString())} &middot;
<span class="${meta.verified.ok ? "good" : "bad"}">${escapeHtml(chain)}</span></p>
<h2>Overview</h2>
<table>
${row("Attempts", String(m.totalAttempts))}
${row("Successes", String(m.successes))}
${row("Failures", String(m.failures))}
${row("Average latency (ms)", ms(m.averageLatencyMs))}
${row("p95 latency (ms)", ms(m.p95LatencyMs))}
${row("Provisioning success rate", `${provisioningCells(m)[0]} (${provisioningCells(m)[1]})`)}
</table>
<h2>Latency by action</h2>
${latencySvg(m)}
<table>
<thead><tr><th>Action</th><th>Count</th><th>Failures</th><th>Avg ms</th><th>p95 ms</th></tr></thead>
<tbody>
${actionRows}
</tbody>
</table>
</body>
</html>
`;
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
      return await main([...stripUrl(argv), "--dir", tmp], io);
    } finally {
      await fsp.rm(tmp, { recursive: true, force: true });
    }
  }
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

/** The arguments without --url and its value, for the second pass over the exported copy. */
function stripUrl(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--url") i++;
    else if (!arg.startsWith("--url=")) out.push(arg);
  }
  return out;
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
