import * as path from "node:path";
import { listDayFiles, readLines } from "./files";
import { GENESIS_HASH, recordHash } from "./hash";
import type { AuditProblem, AuditRecord, VerifyResult } from "./types";

export interface ParsedLine {
  file: string;
  line: number;
  record?: AuditRecord;
  /** Why the line is not a record at all. */
  unreadable?: string;
}

/** Every line of every day file, in chain order; unreadable lines are reported, not thrown. */
export async function* readRecords(dir: string, opts: { fromDay?: string } = {}): AsyncGenerator<ParsedLine> {
  for (const file of await listDayFiles(dir)) {
    if (opts.fromDay && file.slice("audit-".length, "audit-".length + 10) < opts.fromDay) continue;
    for await (const raw of readLines(dir, file)) {
      if (raw.text.length === 0 && !raw.unterminated) {
        yield { file, line: raw.line, unreadable: "empty line" };
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.text);
      } catch {
        yield {
          file,
          line: raw.line,
          unreadable: raw.unterminated
            ? "truncated line: the file ends without a newline and the line is not a complete record"
            : "line is not valid JSON",
        };
        continue;
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        yield { file, line: raw.line, unreadable: "line is not a JSON object" };
        continue;
      }
      const record = parsed as AuditRecord;
      if (raw.unterminated) {
        // Parses, yet was cut exactly at the newline; our writer never leaves a line unterminated.
        yield { file, line: raw.line, record, unreadable: "truncated line: the file ends without a newline" };
        continue;
      }
      yield { file, line: raw.line, record };
    }
  }
}

/**
 * Walks the chain across all day files. After a break it re-anchors on the record it just read,
 * so one deleted line is one problem rather than a cascade through the rest of the trail.
 */
export async function verifyTrail(dir: string): Promise<VerifyResult> {
  const resolved = path.resolve(dir);
  const files = await listDayFiles(resolved);
  const problems: AuditProblem[] = [];
  let records = 0;
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  // Recent hashes, to tell "this record belongs elsewhere in the chain" from "its predecessor is gone";
  // bounded so verifying years of records stays flat in memory.
  const recent = new Map<string, { seq: number; file: string; line: number }>();
  const RECENT_LIMIT = 4096;

  for await (const entry of readRecords(resolved)) {
    const { file, line, record } = entry;
    if (entry.unreadable) {
      problems.push({ file, line, ...(typeof record?.seq === "number" ? { seq: record.seq } : {}), reason: entry.unreadable });
      if (!record) continue;
    }
    if (!record) continue;
    records++;
    const seq = typeof record.seq === "number" ? record.seq : undefined;
    const at = { file, line, ...(seq !== undefined ? { seq } : {}) };

    if (typeof record.hash !== "string" || typeof record.prevHash !== "string" || seq === undefined) {
      problems.push({ ...at, reason: "record lacks seq, prevHash or hash" });
      continue;
    }
    let actual: string;
    try {
      actual = recordHash(record as unknown as Record<string, unknown>);
    } catch (err) {
      problems.push({ ...at, reason: `record cannot be canonicalized: ${(err as Error).message}` });
      continue;
    }
    if (actual !== record.hash) {
      problems.push({ ...at, reason: "hash does not match the record's content (record was edited)" });
    }
    if (record.prevHash !== expectedPrev) {
      const chainedTo = recent.get(record.prevHash);
      let reason: string;
      if (expectedPrev === GENESIS_HASH && records === 1) {
        reason = "first record does not start from the genesis hash (earlier records or files were removed)";
      } else if (chainedTo) {
        reason = `out of order: chains to seq ${chainedTo.seq} at ${chainedTo.file}:${chainedTo.line}, not to the line before it`;
      } else {
        reason = "prevHash does not match the previous record's hash (a record was deleted, inserted or reordered before this one)";
      }
      problems.push({ ...at, reason });
    }
    if (seq !== expectedSeq) {
      problems.push({ ...at, reason: `seq ${seq} where ${expectedSeq} was expected` });
    }
    expectedPrev = record.hash;
    expectedSeq = seq + 1;
    recent.set(record.hash, { seq, file, line });
    if (recent.size > RECENT_LIMIT) recent.delete(recent.keys().next().value as string);
  }

  return { ok: problems.length === 0, records, files, problems };
}
