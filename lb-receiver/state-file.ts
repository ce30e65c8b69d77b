/**
 * The receiver's memory on disk: written to a temporary file, flushed, renamed over the old one and
 * the folder flushed, all before the delivery is acknowledged. A crash at any point leaves either
 * the old state or the new one, and never loses a change the sender was told is applied.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LedgerSnapshot, PoolMember } from "./ledger";

export function loadState(file: string): LedgerSnapshot | undefined {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  if (!fs.existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`state file ${file} is not valid JSON; restore it from a backup or remove it to start empty`, { cause: err });
  }
  // Files written before the receiver kept per-channel memory held only the pool members.
  if (Array.isArray(parsed)) {
    const members = parsed as Omit<PoolMember, "followers" | "lastSource" | "asOf">[];
    return {
      version: 1,
      recentDeliveries: [],
      channels: members.map((m) => ({
        brandId: m.brandId,
        lastEventAt: 0,
        member: { ...m, followers: ["(platform)"], lastSource: "platform", asOf: new Date(0).toISOString() },
      })),
    };
  }
  const snapshot = parsed as Partial<LedgerSnapshot>;
  if (snapshot.version !== 1 || !Array.isArray(snapshot.channels) || !Array.isArray(snapshot.recentDeliveries)) {
    throw new Error(`state file ${file} is not a receiver state (version 1); remove it to start empty`);
  }
  return snapshot as LedgerSnapshot;
}

export function saveState(file: string, snapshot: LedgerSnapshot): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, JSON.stringify(snapshot, null, 2));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  // The rename is durable only once the folder's entry is on disk too.
  const dirFd = fs.openSync(dir, "r");
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}
