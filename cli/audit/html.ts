/**
 * `audit report`: one self-contained HTML page (inline CSS and SVG, no scripts or external assets)
 * that can be mailed or archived next to the trail it describes.
 */
import type { AuditMetrics } from "../../provider/audit";
import { ms, provisioningCells } from "./figures";

export interface ReportMeta {
  dir: string;
  generatedAt: Date;
  verified: { ok: boolean; records: number; problems: number };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/** Horizontal bars, average and p95 per action, scaled to the slowest p95. */
function latencySvg(m: AuditMetrics): string {
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

export function renderHtml(m: AuditMetrics, meta: ReportMeta): string {
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
