import { promises as fsp } from "node:fs";
import * as path from "node:path";

const DAY_FILE = /^audit-(\d{4}-\d{2}-\d{2})\.jsonl$/;

export function dayFileName(date: Date): string {
  return `audit-${date.toISOString().slice(0, 10)}.jsonl`;
}

/** Day files in chain order: ISO dates sort lexicographically. */
export async function listDayFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  return names.filter((n) => DAY_FILE.test(n)).sort();
}

export interface Tail {
  /** Last complete line, without its newline; undefined when the file holds none. */
  lastLine?: string;
  /** False when the file ends in a partial line (a crash mid-write or a cut file). */
  endsWithNewline: boolean;
  size: number;
}

/**
 * Reads only the end of the file, growing the window until a whole line fits, so the cost of
 * finding the chain head does not grow with the file.
 */
export async function readTail(file: string, initialWindow = 16 * 1024): Promise<Tail> {
  const fh = await fsp.open(file, "r");
  try {
    const { size } = await fh.stat();
    if (size === 0) return { endsWithNewline: true, size };
    let window = Math.min(initialWindow, size);
    for (;;) {
      const start = size - window;
      const buf = Buffer.alloc(window);
      await fh.read(buf, 0, window, start);
      const endsWithNewline = buf[buf.length - 1] === 0x0a;
      // The complete region ends at the last newline; anything after it is a partial line.
      const lastNl = buf.lastIndexOf(0x0a);
      if (lastNl === -1) {
        if (start === 0) return { endsWithNewline, size };
        window = Math.min(window * 4, size);
        continue;
      }
      const prevNl = lastNl === 0 ? -1 : buf.lastIndexOf(0x0a, lastNl - 1);
      if (prevNl === -1 && start > 0) {
        window = Math.min(window * 4, size);
        continue;
      }
      return { lastLine: buf.subarray(prevNl + 1, lastNl).toString("utf8"), endsWithNewline, size };
    }
  } finally {
    await fh.close();
  }
}

export interface RawLine {
  file: string;
  /** 1-based, as an editor shows it. */
  line: number;
  text: string;
  /** The final line of a file that has no trailing newline. */
  unterminated: boolean;
}

/**
 * Streams lines so verifying a year of records does not need it all in memory at once.
 * Splits on "\n" itself rather than using readline, which would hide whether the final line was cut.
 */
export async function* readLines(dir: string, fileName: string): AsyncGenerator<RawLine> {
  const handle = await fsp.open(path.join(dir, fileName), "r");
  try {
    let pending: Buffer = Buffer.alloc(0);
    let lineNo = 0;
    for await (const chunk of handle.createReadStream({ highWaterMark: 256 * 1024 })) {
      pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
      let from = 0;
      for (let nl = pending.indexOf(0x0a, from); nl !== -1; nl = pending.indexOf(0x0a, from)) {
        lineNo++;
        yield { file: fileName, line: lineNo, text: pending.subarray(from, nl).toString("utf8"), unterminated: false };
        from = nl + 1;
      }
      pending = pending.subarray(from);
    }
    if (pending.length > 0) {
      lineNo++;
      yield { file: fileName, line: lineNo, text: pending.toString("utf8"), unterminated: true };
    }
  } finally {
    await handle.close();
  }
}
