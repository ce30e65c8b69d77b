/**
 * The source design's audit writer ("Step 4" of the seed tutorial), reimplemented faithfully so the
 * benchmark compares against what it replaces: every event reads the whole day file, parses it,
 * pushes one entry and rewrites the whole array, pretty-printed. Kept only as a baseline.
 */
import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";

interface SeedMetrics {
  totalAttempts: number;
  successfulProvisions: number;
  failedProvisions: number;
  averageLatencyMs: number;
  handshakeSuccessRate: number;
}

export class SeedProvisioningMetrics {
  private readonly metrics: SeedMetrics = {
    totalAttempts: 0,
    successfulProvisions: 0,
    failedProvisions: 0,
    averageLatencyMs: 0,
    handshakeSuccessRate: 0,
  };

  constructor(private readonly logDir: string) {}

  async recordEvent(action: string, payload: unknown, result: { success: boolean; brandId?: string }, durationMs: number): Promise<void> {
    this.metrics.totalAttempts++;
    if (result.success) this.metrics.successfulProvisions++;
    else this.metrics.failedProvisions++;
    this.metrics.averageLatencyMs =
      (this.metrics.averageLatencyMs * (this.metrics.totalAttempts - 1) + durationMs) / this.metrics.totalAttempts;
    this.metrics.handshakeSuccessRate = (this.metrics.successfulProvisions / this.metrics.totalAttempts) * 100;

    const auditEntry = {
      timestamp: new Date().toISOString(),
      action,
      brandId: result.brandId || null,
      durationMs,
      success: result.success,
      payloadHash: createHash("sha256").update(JSON.stringify(payload)).digest("hex"),
      metricsSnapshot: { ...this.metrics },
    };

    const logFile = path.join(this.logDir, `provision-audit-${new Date().toISOString().split("T")[0]}.json`);
    const existingLog = await fs.readFile(logFile, "utf-8").catch(() => "[]");
    const updatedLog = JSON.parse(existingLog) as unknown[];
    updatedLog.push(auditEntry);
    await fs.writeFile(logFile, JSON.stringify(updatedLog, null, 2));
  }
}
