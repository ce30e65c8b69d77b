/**
 * Peak memory and bytes written of a CLI run and its descendants, read from /proc (Linux) every
 * 200 ms. VmHWM is the kernel's own resident-set high-water mark and wchar a running total, so
 * sampling only misses what happens in a process's last 200 ms.
 */
import * as fs from "node:fs";

export interface ProcPeaks {
  /** Peak resident set of the `pulumi` CLI itself, MB. */
  cliPeakRssMb: number;
  /** Peak of the provider process, dynamic or the genesys plugin (the largest, if the engine started several), MB. */
  providerPeakRssMb: number;
  /** Peak of the language host and the Node program, MB. */
  programPeakRssMb: number;
  /** Bytes the CLI passed to write(2): checkpoints, plus its own output. */
  cliWrittenBytes: number;
  /** CPU seconds (user + system) each part used: where a run's time went on a machine with few cores. */
  cliCpuS: number;
  providerCpuS: number;
  programCpuS: number;
}

export const readOr = (file: string): string => {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
};

export function children(): Map<number, number[]> {
  const byParent = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOr(`/proc/${entry}/stat`);
    // Field 4 (ppid) follows the parenthesised command name, which may itself hold spaces.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (!Number.isFinite(ppid)) continue;
    const list = byParent.get(ppid) ?? [];
    list.push(Number(entry));
    byParent.set(ppid, list);
  }
  return byParent;
}

export const hwmMb = (pid: number): number => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readOr(`/proc/${pid}/status`));
  return m ? Number(m[1]) / 1024 : 0;
};

/** Clock ticks per second of /proc/<pid>/stat's times: USER_HZ, 100 on every Linux this runs on (`getconf CLK_TCK`). */
const USER_HZ = 100;

/** CPU seconds a process has used so far (utime + stime, fields 14 and 15 of /proc/<pid>/stat). */
export const cpuSeconds = (pid: number): number => {
  const stat = readOr(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / USER_HZ : 0;
};

export class ProcSampler {
  private readonly peaks = { cliPeakRssMb: 0, providerPeakRssMb: 0, programPeakRssMb: 0, cliWrittenBytes: 0 };
  /** Latest CPU seconds per process: a running total, so the last sample before it exits is what it used. */
  private readonly cpu = new Map<number, { role: "cli" | "provider" | "program"; s: number }>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly root: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 200);
  }

  private sample(): void {
    const wchar = /wchar: (\d+)/.exec(readOr(`/proc/${this.root}/io`));
    if (wchar) this.peaks.cliWrittenBytes = Math.max(this.peaks.cliWrittenBytes, Number(wchar[1]));
    this.peaks.cliPeakRssMb = Math.max(this.peaks.cliPeakRssMb, hwmMb(this.root));
    this.cpu.set(this.root, { role: "cli", s: Math.max(this.cpu.get(this.root)?.s ?? 0, cpuSeconds(this.root)) });
    const tree = children();
    const queue = [...(tree.get(this.root) ?? [])];
    while (queue.length > 0) {
      const pid = queue.shift()!;
      queue.push(...(tree.get(pid) ?? []));
      const cmd = readOr(`/proc/${pid}/cmdline`);
      const mb = hwmMb(pid);
      const role = cmd.includes("dynamic-provider") || cmd.includes("pulumi-resource-genesys") ? "provider" : "program";
      if (role === "provider") this.peaks.providerPeakRssMb = Math.max(this.peaks.providerPeakRssMb, mb);
      else this.peaks.programPeakRssMb = Math.max(this.peaks.programPeakRssMb, mb);
      // A plugin's wrapper exec()s node in the same pid: the role read last wins, its CPU total includes both.
      this.cpu.set(pid, { role, s: Math.max(this.cpu.get(pid)?.s ?? 0, cpuSeconds(pid)) });
    }
  }

  private cpuOf(role: "cli" | "provider" | "program"): number {
    return [...this.cpu.values()].filter((e) => e.role === role).reduce((n, e) => n + e.s, 0);
  }

  stop(): ProcPeaks {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const r = (x: number) => Math.round(x * 10) / 10;
    return {
      cliPeakRssMb: r(this.peaks.cliPeakRssMb),
      providerPeakRssMb: r(this.peaks.providerPeakRssMb),
      programPeakRssMb: r(this.peaks.programPeakRssMb),
      cliWrittenBytes: this.peaks.cliWrittenBytes,
      cliCpuS: r(this.cpuOf("cli")),
      providerCpuS: r(this.cpuOf("provider")),
      programCpuS: r(this.cpuOf("program")),
    };
  }
}
