/**
 * Prints the stack's web deployments: id, status and the first line of each snippet (the loader a
 * site pastes into its pages). `npm start` calls printDeployments after `pulumi up`; run on its own
 * it prints the dev stack's: `node dist/scripts/print-deployments.js [--stack dev]`.
 */
import { execFileSync } from "node:child_process";
import { pulumiEnv, repoRoot } from "./pulumi-env";

interface DeploymentOutput {
  name?: string;
  deploymentId?: string;
  status?: string;
  snippet?: string;
}

/** The rows printed for each deployment; exported so its shape is tested without a CLI. */
export function deploymentRows(deployments: Record<string, DeploymentOutput>): string[][] {
  return Object.entries(deployments).map(([resource, d]) => [
    resource,
    d.name ?? "",
    d.deploymentId ?? "",
    d.status ?? "",
    firstLine(d.snippet ?? ""),
  ]);
}

export function firstLine(text: string): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  return line.length > 100 ? `${line.slice(0, 97)}...` : line.trim();
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c ?? "").padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** Reads the stack output `webDeployments` with the real CLI and prints one row per deployment. */
export function printDeployments(opts: { stack?: string; cwd?: string; env?: NodeJS.ProcessEnv; log?: (s: string) => void } = {}): void {
  const cwd = opts.cwd ?? repoRoot();
  const env = opts.env ?? pulumiEnv();
  const log = opts.log ?? console.log;
  const raw = execFileSync("pulumi", ["stack", "output", "webDeployments", "--json", "--stack", opts.stack ?? "dev"], {
    cwd,
    env,
  }).toString();
  const out = JSON.parse(raw) as { deployments?: Record<string, DeploymentOutput> } | null;
  const rows = deploymentRows(out?.deployments ?? {});
  log("\nWeb deployments:");
  if (rows.length === 0) {
    log("(none declared)");
    return;
  }
  log(formatTable(["resource", "name", "id", "status", "snippet (first line)"], rows));
}

if (require.main === module) {
  const at = process.argv.indexOf("--stack");
  try {
    printDeployments({ stack: at > 0 ? process.argv[at + 1] : undefined });
  } catch (err) {
    console.error(`print-deployments failed: ${(err as Error).message}`);
    process.exit(1);
  }
}
