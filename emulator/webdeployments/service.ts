import { DEFAULT_TIMING, type Status, type WebDeploymentTiming } from "./contract";
import type { ConfigurationRecord, DeploymentRecord } from "./model";
import type { WebDeploymentStore } from "./store";

/**
 * The web deployments state machine. Statuses are derived from stored instants when a request reads
 * them, not flipped by timers: a restarted emulator (or one whose clock a test controls) reports
 * exactly what the elapsed time says.
 */
export class WebDeploymentsService {
  private timingValue: WebDeploymentTiming;

  constructor(
    readonly store: WebDeploymentStore,
    timing: Partial<WebDeploymentTiming> = {},
    readonly now: () => number = Date.now,
  ) {
    this.timingValue = { ...DEFAULT_TIMING, ...timing };
  }

  get timing(): WebDeploymentTiming {
    return { ...this.timingValue };
  }

  setTiming(patch: Partial<WebDeploymentTiming>): WebDeploymentTiming {
    this.timingValue = { ...this.timingValue, ...patch };
    return this.timing;
  }

  /** Completes due asynchronous deletes; every handler calls it before it looks anything up. */
  settle(): void {
    this.store.purge(this.now());
  }

  draftStatus(c: ConfigurationRecord): Status {
    if (c.goneAt !== undefined) return "Deleting";
    return this.now() < c.draftReadyAt ? "Pending" : "Active";
  }

  publishedStatus(c: ConfigurationRecord): Status {
    return c.goneAt !== undefined ? "Deleting" : "Active";
  }

  /** Error wins over Active once the activation delay is over, when the admin API marked a dependency broken. */
  deploymentState(d: DeploymentRecord): { status: Status; reason?: string } {
    if (d.goneAt !== undefined) return { status: "Deleting" };
    if (this.now() < d.activeAt) return { status: "Pending" };
    const reason =
      this.store.brokenReason("deployment", d.id) ??
      (d.content.flow ? this.store.brokenReason("flow", d.content.flow.id) : undefined) ??
      this.store.brokenReason("configuration", d.content.configuration.id);
    return reason !== undefined ? { status: "Error", reason } : { status: "Active" };
  }

  clear(): void {
    this.store.clear();
  }
}
