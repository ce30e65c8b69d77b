/**
 * Keeps one load balancer equal to the receiver's pool. The pool (what verified deliveries said)
 * is the truth; the load balancer is a copy that can lose its runtime state when it restarts, so
 * the copy is rebuilt by reconciling: at start, whenever the load balancer's process changed, and
 * before a change is applied to a process this receiver has not reconciled yet.
 */
import type { LoadBalancerDriver, ReconcileReport, ServerState, Target } from "./drivers/types";

export type PoolChange = { kind: "upsert"; target: Target } | { kind: "remove"; id: string };

export interface BalancerSyncOptions {
  /** How often to look for a restarted load balancer. */
  checkIntervalMs?: number;
  log?: (line: string) => void;
}

export class BalancerSync {
  private instance = "";
  private timer: NodeJS.Timeout | undefined;
  /** One change or reconcile at a time: the driver's view of the backend must not interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  private lastError = "";

  constructor(
    private readonly driver: LoadBalancerDriver,
    private readonly desired: () => Target[],
    private readonly opts: BalancerSyncOptions = {},
  ) {}

  /** Reconciles once (failing when the load balancer cannot be reached), then watches for restarts. */
  async start(): Promise<ReconcileReport> {
    const report = await this.serial(() => this.reconcile());
    this.timer = setInterval(() => void this.watch(), this.opts.checkIntervalMs ?? 2_000);
    this.timer.unref();
    return report;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Applies one pool change; rejects when the load balancer did not take it (the delivery is then not acknowledged). */
  apply(change: PoolChange): Promise<void> {
    return this.serial(async () => {
      if ((await this.driver.instance()) !== this.instance) await this.reconcile();
      if (change.kind === "upsert") await this.driver.upsert(change.target);
      else await this.driver.remove(change.id);
    });
  }

  servers(): Promise<ServerState[]> {
    return this.driver.servers();
  }

  private async watch(): Promise<void> {
    try {
      await this.serial(async () => {
        if ((await this.driver.instance()) !== this.instance) {
          const report = await this.reconcile();
          this.log(
            `${this.driver.kind} restarted: reconciled (added ${report.added.length}, updated ${report.updated.length}, removed ${report.removed.length})`,
          );
        }
      });
      this.lastError = "";
    } catch (err) {
      const message = (err as Error).message;
      // Said once per distinct problem, not every few seconds.
      if (message !== this.lastError) this.log(`${this.driver.kind} not reachable, will retry: ${message}`);
      this.lastError = message;
    }
  }

  private async reconcile(): Promise<ReconcileReport> {
    const instance = await this.driver.instance();
    const report = await this.driver.reconcile(this.desired());
    this.instance = instance;
    return report;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private log(line: string): void {
    (this.opts.log ?? console.log)(`[lb-receiver] ${line}`);
  }
}
