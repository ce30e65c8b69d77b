/**
 * The receiver's backend for a real load balancer. The receiver's pool (what verified deliveries
 * said) is the truth; the load balancer holds a copy that it loses when it restarts, so the copy
 * is rebuilt by reconciling: at start, whenever the load balancer's process changed, and before a
 * change goes to a process this receiver has not reconciled yet.
 */
import type { PoolBackend } from "./backend";
import type { LoadBalancerDriver, ReconcileReport, ServerState, Target } from "./drivers/types";
import type { PoolMember } from "./ledger";

export interface BalancerSyncOptions {
  /** How often to look for a restarted load balancer. */
  checkIntervalMs?: number;
  log?: (line: string) => void;
}

export class BalancerSync implements PoolBackend {
  /** The pool as this backend last applied it: what a reconcile restores. */
  private readonly desired = new Map<string, Target>();
  private instance = "";
  private timer: NodeJS.Timeout | undefined;
  /** One change or reconcile at a time: the driver's view of the backend must not interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  private lastProblem = "";

  constructor(
    readonly driver: LoadBalancerDriver,
    private readonly opts: BalancerSyncOptions = {},
  ) {}

  /** Reconciles with the persisted pool (failing when the load balancer cannot be reached), then watches for restarts. */
  async sync(members: PoolMember[]): Promise<void> {
    this.desired.clear();
    for (const m of members) this.desired.set(m.brandId, { id: m.brandId, endpointUrl: m.endpointUrl });
    const report = await this.serial(() => this.reconcile());
    this.log(`${this.driver.kind} reconciled with the pool (${describe(report)})`);
    this.timer ??= setInterval(() => void this.watch(), this.opts.checkIntervalMs ?? 2_000);
    this.timer.unref();
  }

  /** Rejects when the load balancer did not take the change, so the delivery is not acknowledged. */
  upsert(member: PoolMember): Promise<void> {
    const target = { id: member.brandId, endpointUrl: member.endpointUrl };
    return this.serial(async () => {
      await this.reconcileIfRestarted();
      await this.driver.upsert(target);
      this.desired.set(target.id, target);
    });
  }

  remove(brandId: string): Promise<void> {
    return this.serial(async () => {
      await this.reconcileIfRestarted();
      await this.driver.remove(brandId);
      this.desired.delete(brandId);
    });
  }

  servers(): Promise<ServerState[]> {
    return this.driver.servers();
  }

  async describe(): Promise<{ kind: string; servers: ServerState[] }> {
    return { kind: this.driver.kind, servers: await this.driver.servers() };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async watch(): Promise<void> {
    try {
      const report = await this.serial(() => this.reconcileIfRestarted());
      if (report) this.log(`${this.driver.kind} restarted: reconciled (${describe(report)})`);
      this.lastProblem = "";
    } catch (err) {
      const message = (err as Error).message;
      // Said once per distinct problem, not every few seconds.
      if (message !== this.lastProblem) this.log(`${this.driver.kind} not reachable, will retry: ${message}`);
      this.lastProblem = message;
    }
  }

  private async reconcileIfRestarted(): Promise<ReconcileReport | undefined> {
    if ((await this.driver.instance()) === this.instance) return undefined;
    return this.reconcile();
  }

  private async reconcile(): Promise<ReconcileReport> {
    const instance = await this.driver.instance();
    const report = await this.driver.reconcile([...this.desired.values()]);
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

function describe(r: ReconcileReport): string {
  return `added ${r.added.length}, moved ${r.updated.length}, removed ${r.removed.length}`;
}
