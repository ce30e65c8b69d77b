/**
 * How the audit CLI writes its figures, shared by the text summary and the HTML report so both
 * print the same number the same way.
 */
import type { AuditMetrics } from "../../provider/audit";

export const ms = (v: number): string => v.toFixed(1);
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
export function provisioningCells(m: AuditMetrics): [string, string] {
  const p = provisioningCount(m);
  return p.attempts === 0
    ? ["n/a", "no create/adopt"]
    : [pct(m.provisioningSuccessRate), `${p.attempts - p.failures}/${p.attempts} create/adopt`];
}
