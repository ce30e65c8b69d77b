/**
 * Peak memory and bytes written of a whole process tree that runs several `pulumi` CLIs at once
 * (the many-stacks runner): per process, so the figures say what one CLI or one provider took and
 * what all of them took together. Read from /proc every 200 ms like ProcSampler.
 */
import { children, cpuSeconds, hwmMb, readOr } from "./proc-sampler";

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readOr(`/proc/${pid}/status`));
  return m ? Number(m[1]) / 1024 : 0;
};

export interface FleetPeaks {
  /** How many `pulumi` CLI processes ran (one per stack command, plus the runner's short helper calls). */
  clis: number;
  /** The largest single CLI's peak resident set, MB. */
  cliPeakRssMb: number;
  /** The most all CLIs held at once (the largest sum of their resident sets in one sample), MB. */
  cliTogetherPeakMb: number;
  providers: number;
  providerPeakRssMb: number;
  providerTogetherPeakMb: number;
  /** The largest other process: a language host or the stack's Node program, MB. */
  programPeakRssMb: number;
  /** The runner itself (node dist/cli/deploy.js), MB. */
  runnerPeakRssMb: number;
  /** Bytes every CLI passed to write(2): checkpoints, the Automation API's event log, output. */
  cliWrittenBytes: number;
  /** CPU seconds (user + system) all CLIs, all providers and all other processes (language hosts, programs) used. */
  cliCpuS: number;
  providerCpuS: number;
  otherCpuS: number;
}

type Kind = "cli" | "provider" | "other";

function kindOf(cmdline: string): Kind {
  const [argv0 = "", argv1] = cmdline.split("\0");
  // The provider's wrapper first runs `node -e "require.resolve(…dynamic-provider)"`: not the provider.
  if (cmdline.includes("dynamic-provider") && argv1 !== "-e") return "provider";
  if (argv0 === "pulumi" || argv0.endsWith("/pulumi")) return "cli";
  return "other";
}

export class FleetSampler {
  private readonly seen = new Map<number, { kind: Kind; peakMb: number; wchar: number; cpuS: number }>();
  private runnerMb = 0;
  private readonly together: Record<Kind, number> = { cli: 0, provider: 0, other: 0 };
  private timer?: NodeJS.Timeout;

  constructor(private readonly root: number) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 200);
  }

  private sample(): void {
    this.runnerMb = Math.max(this.runnerMb, hwmMb(this.root));
    const tree = children();
    const now: Record<Kind, number> = { cli: 0, provider: 0, other: 0 };
    const queue = [...(tree.get(this.root) ?? [])];
    while (queue.length > 0) {
      const pid = queue.shift()!;
      queue.push(...(tree.get(pid) ?? []));
      const cmd = readOr(`/proc/${pid}/cmdline`);
      if (!cmd) continue;
      // Read the kind every time: a plugin starts as a shell wrapper and exec()s node in the same pid.
      const kind = kindOf(cmd);
      const known = this.seen.get(pid);
      const entry = known && known.kind === kind ? known : { kind, peakMb: 0, wchar: 0, cpuS: 0 };
      entry.peakMb = Math.max(entry.peakMb, hwmMb(pid));
      entry.cpuS = Math.max(entry.cpuS, cpuSeconds(pid));
      if (entry.kind === "cli") {
        const wchar = /wchar: (\d+)/.exec(readOr(`/proc/${pid}/io`));
        if (wchar) entry.wchar = Math.max(entry.wchar, Number(wchar[1]));
      }
      this.seen.set(pid, entry);
      now[entry.kind] += rssMb(pid);
    }
    for (const k of ["cli", "provider", "other"] as const) this.together[k] = Math.max(this.together[k], now[k]);
  }

  stop(): FleetPeaks {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const r = (x: number) => Math.round(x * 10) / 10;
    const of = (kind: Kind) => [...this.seen.values()].filter((e) => e.kind === kind);
    const clis = of("cli");
    const providers = of("provider");
    return {
      clis: clis.length,
      cliPeakRssMb: r(Math.max(0, ...clis.map((e) => e.peakMb))),
      cliTogetherPeakMb: r(this.together.cli),
      providers: providers.length,
      providerPeakRssMb: r(Math.max(0, ...providers.map((e) => e.peakMb))),
      providerTogetherPeakMb: r(this.together.provider),
      programPeakRssMb: r(Math.max(0, ...of("other").map((e) => e.peakMb))),
      runnerPeakRssMb: r(this.runnerMb),
      cliWrittenBytes: clis.reduce((n, e) => n + e.wchar, 0),
      cliCpuS: r(clis.reduce((n, e) => n + e.cpuS, 0)),
      providerCpuS: r(providers.reduce((n, e) => n + e.cpuS, 0)),
      otherCpuS: r(of("other").reduce((n, e) => n + e.cpuS, 0)),
    };
  }
}
