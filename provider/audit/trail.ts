import { constants as fsc, promises as fsp } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as lockfile from "proper-lockfile";
import { dayFileName, listDayFiles, readTail } from "./files";
import { GENESIS_HASH, canonicalJson, recordHash, sha256Hex } from "./hash";
import { makeStringScrubber, redactWith } from "./redact";
import type { AuditEvent, AuditOptions, AuditRecord } from "./types";

/** Errors can embed whole response bodies; one record stays one modest write. */
const MAX_ERROR_CHARS = 4096;

const LOCK_NAME = ".audit.lock";

const STORED_FIELDS = [
  "action",
  "resourceType",
  "resourceName",
  "targetId",
  "outcome",
  "durationMs",
  "attempts",
  "retries",
  "correlationIds",
  "healthStatus",
  "actor",
] as const satisfies readonly Exclude<keyof AuditEvent, "payload" | "error">[];

interface Head {
  file: string;
  /** Size of `file` right after our own last write: if it is unchanged, nobody else appended. */
  size: number;
  seq: number;
  hash: string;
}

function defaultActor(): string {
  try {
    return os.userInfo().username;
  } catch {
    // Containers often run under a uid with no passwd entry.
    return process.env.USER ?? `uid:${process.getuid?.() ?? "unknown"}`;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  // A new file's directory entry is only durable once the directory itself is synced.
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(dir, "r");
    await fh.sync();
  } catch (err) {
    // Some platforms (Windows) cannot open or fsync a directory; the data fsync still stands.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL") throw err;
  } finally {
    await fh?.close();
  }
}

/**
 * Append-only, hash-chained audit trail: one JSON line per event, one file per UTC day.
 *
 * Several processes (the provider Pulumi spawns, an overlapping refresh, tests) may append
 * to one directory: a lock directory serialises "read the chain head, write the next line",
 * which is the only step that must not interleave for the chain to stay linear.
 */
export class AuditTrail {
  private readonly dir: string;
  private readonly now: () => Date;
  private readonly scrub: (s: string) => string;
  private readonly actor: string;
  private head: Head | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private dirReady: Promise<void> | undefined;

  constructor(opts: AuditOptions) {
    if (!opts || typeof opts.dir !== "string" || opts.dir.length === 0) {
      throw new TypeError("AuditTrail needs a directory");
    }
    this.dir = path.resolve(opts.dir);
    this.now = opts.now ?? (() => new Date());
    this.scrub = makeStringScrubber(opts.secrets ?? []);
    this.actor = defaultActor();
  }

  /** Resolves once the record is on disk (fsync'd); rejects if it could not be made durable. */
  append(event: AuditEvent): Promise<AuditRecord> {
    // Prepared outside the lock: redaction and payload hashing need no coordination.
    let prepared: Omit<AuditRecord, "seq" | "timestamp" | "prevHash" | "hash">;
    try {
      prepared = this.prepare(event);
    } catch (err) {
      return Promise.reject(err);
    }
    // In-process calls are queued so they keep call order and do not contend for the lock.
    const result = this.queue.then(() => this.appendLocked(prepared));
    this.queue = result.catch(() => undefined);
    return result;
  }

  protected prepare(event: AuditEvent): Omit<AuditRecord, "seq" | "timestamp" | "prevHash" | "hash"> {
    if (!event || typeof event !== "object") throw new TypeError("audit event must be an object");
    if (typeof event.durationMs !== "number" || !Number.isFinite(event.durationMs) || event.durationMs < 0) {
      throw new TypeError(`audit event durationMs must be a finite non-negative number, got ${String(event.durationMs)}`);
    }
    if (event.outcome !== "success" && event.outcome !== "failure") {
      throw new TypeError(`audit event outcome must be "success" or "failure", got ${String(event.outcome)}`);
    }
    const { payload, error } = event;
    // Only known fields: a caller's stray `seq` or `timestamp` must not override the writer's.
    const known: Partial<Record<(typeof STORED_FIELDS)[number], unknown>> = {};
    for (const key of STORED_FIELDS) if (event[key] !== undefined) known[key] = event[key];
    const safe = redactWith(known, this.scrub) as Omit<AuditEvent, "payload" | "error">;
    const out: Omit<AuditRecord, "seq" | "timestamp" | "prevHash" | "hash"> = {
      ...safe,
      actor: safe.actor ?? this.scrub(this.actor),
      pid: process.pid,
    };
    if (error !== undefined) {
      // Pre-cut far beyond the final limit only to bound scrubbing time on pathological input.
      const text = this.scrub(String(error).slice(0, MAX_ERROR_CHARS * 16));
      // Truncate after scrubbing so a cut can never leave half a secret behind unscrubbed.
      out.error = text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…[truncated]` : text;
    }
    if (payload !== undefined) {
      out.payloadHash = sha256Hex(canonicalJson(redactWith(payload, this.scrub) ?? null));
    }
    return out;
  }

  private async appendLocked(prepared: Omit<AuditRecord, "seq" | "timestamp" | "prevHash" | "hash">): Promise<AuditRecord> {
    this.dirReady ??= fsp.mkdir(this.dir, { recursive: true }).then(() => undefined);
    try {
      await this.dirReady;
    } catch (err) {
      this.dirReady = undefined;
      throw err;
    }

    let compromised: Error | undefined;
    const release = await lockfile.lock(this.dir, {
      lockfilePath: path.join(this.dir, LOCK_NAME),
      realpath: false,
      // A crashed holder is taken over after `stale` ms; the retries must outlast that.
      stale: 10_000,
      retries: { retries: 400, factor: 1.3, minTimeout: 2, maxTimeout: 60, randomize: true },
      // The default throws from a timer, which would crash the provider process.
      onCompromised: (err) => {
        compromised = err;
      },
    });
    try {
      const timestamp = this.now();
      const files = await listDayFiles(this.dir);
      const latest = files[files.length - 1];
      // Never write into a day older than the newest file (clock skew between processes, or an
      // injected clock): verification walks files in name order, so the chain must too.
      let file = dayFileName(timestamp);
      if (latest !== undefined && latest > file) file = latest;

      const head = await this.readHead(files);
      const record: AuditRecord = {
        seq: head.seq + 1,
        timestamp: timestamp.toISOString(),
        ...prepared,
        prevHash: head.hash,
        hash: "",
      };
      record.hash = recordHash(record as unknown as Record<string, unknown>);

      const full = path.join(this.dir, file);
      const isNew = !files.includes(file);
      // A partial line left by a crash must not swallow this record's first bytes.
      const prefix = file === latest && !head.latestEndsWithNewline ? "\n" : "";
      const line = Buffer.from(`${prefix}${JSON.stringify(record)}\n`, "utf8");

      // O_APPEND: even a writer that ignored the lock could not overwrite earlier records.
      const fh = await fsp.open(full, fsc.O_WRONLY | fsc.O_APPEND | fsc.O_CREAT, 0o640);
      let size: number;
      try {
        const { bytesWritten } = await fh.write(line, 0, line.length);
        if (bytesWritten !== line.length) throw new Error(`short write to ${full}: ${bytesWritten}/${line.length} bytes`);
        await fh.sync();
        size = (await fh.stat()).size;
      } finally {
        await fh.close();
      }
      if (isNew) await fsyncDir(this.dir);

      if (compromised) throw new Error(`audit lock was lost while appending: ${compromised.message}`);
      this.head = { file, size, seq: record.seq, hash: record.hash };
      return record;
    } catch (err) {
      this.head = undefined;
      throw err;
    } finally {
      await release().catch(() => undefined);
    }
  }

  /** The chain head: from memory when nobody appended since our last write, else from the newest file's tail. */
  private async readHead(files: string[]): Promise<{ seq: number; hash: string; latestEndsWithNewline: boolean }> {
    const latest = files[files.length - 1];
    if (latest === undefined) return { seq: 0, hash: GENESIS_HASH, latestEndsWithNewline: true };
    if (this.head && this.head.file === latest) {
      const size = await fsp
        .stat(path.join(this.dir, latest))
        .then((s) => s.size)
        .catch(() => -1);
      // Our own write ended with a newline, and nothing was appended since.
      if (size === this.head.size) return { seq: this.head.seq, hash: this.head.hash, latestEndsWithNewline: true };
    }
    let latestEndsWithNewline = true;
    // Walk back past empty files (one created by a process that died before writing).
    for (let i = files.length - 1; i >= 0; i--) {
      const name = files[i] as string;
      const tail = await readTail(path.join(this.dir, name));
      if (i === files.length - 1) latestEndsWithNewline = tail.endsWithNewline;
      if (tail.lastLine === undefined) continue;
      let last: Partial<AuditRecord>;
      try {
        last = JSON.parse(tail.lastLine) as Partial<AuditRecord>;
      } catch (err) {
        throw new Error(`audit trail head in ${name} is not valid JSON; run "audit verify" before appending`, { cause: err });
      }
      if (typeof last.seq !== "number" || typeof last.hash !== "string") {
        throw new Error(`audit trail head in ${name} has no seq/hash; run "audit verify" before appending`);
      }
      return { seq: last.seq, hash: last.hash, latestEndsWithNewline };
    }
    return { seq: 0, hash: GENESIS_HASH, latestEndsWithNewline };
  }
}
