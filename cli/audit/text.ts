/** `audit summary`: the metrics as aligned plain-text tables for a terminal. */
import type { AuditMetrics } from "../../provider/audit";
import { ms, provisioningCells } from "./figures";

/** Pads cells so columns line up: "r" columns right-aligned (numbers), "l" left-aligned (text). */
function formatTable(header: string[], rows: string[][], align: ("l" | "r")[]): string {
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
