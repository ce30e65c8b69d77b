import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach } from "vitest";
import type { AuditEvent } from "../../../provider/audit";

const dirs: string[] = [];

/** A fresh directory removed after the test, so tests never share a chain. */
export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "audit-test-"));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function event(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    action: "create",
    resourceType: "genesys:WebMessagingChannel",
    resourceName: "support-chat",
    targetId: "brand-1",
    outcome: "success",
    durationMs: 42,
    attempts: 1,
    retries: 0,
    correlationIds: ["corr-1"],
    ...overrides,
  };
}

/** A clock the test moves by hand, to cross UTC midnight on demand. */
export function clock(start: string): { now: () => Date; set(iso: string): void } {
  let current = new Date(start);
  return { now: () => new Date(current), set: (iso) => (current = new Date(iso)) };
}

export function lines(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.length > 0);
}

export function rewriteLines(file: string, edit: (lines: string[]) => string[]): void {
  writeFileSync(
    file,
    edit(lines(file))
      .map((l) => `${l}\n`)
      .join(""),
  );
}
