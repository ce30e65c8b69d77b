import { randomUUID } from "node:crypto";
import {
  brokenMarkNotFound,
  configurationDeleting,
  configurationInUse,
  configurationNotFound,
  deploymentDeleting,
  deploymentNotFound,
  draftNotReady,
  invalidField,
  versionNotFound,
  type ApiError,
} from "../errors";
import type { WebDeploymentStore } from "../persistence/store";
import type { EmulatorClock } from "../clock";
import { DEFAULT_TIMING, MAX_VERSIONS_LISTED, type BrokenKind, type Status, type WebDeploymentTiming } from "../webdeployments/contract";
import type {
  BrokenMark,
  ConfigurationRecord,
  CursorPage,
  CursorQuery,
  DeploymentContent,
  DeploymentRecord,
  PublishedVersion,
} from "../webdeployments/model";
import { checkBodyId } from "../validation";
import { parseConfiguration, parseDeployment } from "../webdeployments/validation";

/**
 * The web deployments rules and state machine. Statuses are derived from stored instants when a request
 * reads them, not flipped by timers: a restarted emulator (or one whose clock a test controls) reports
 * exactly what the elapsed time says. Every lookup first completes the asynchronous deletes that are due.
 */
export class WebDeploymentsService {
  private timingValue: WebDeploymentTiming;

  constructor(
    private readonly store: WebDeploymentStore,
    timing: Partial<WebDeploymentTiming> = {},
    // The emulator's clock, as every other service reads: a test that drives it sees drafts settle,
    // deployments activate and deletes complete, and the dates stamped, by its time.
    private readonly clock: Pick<EmulatorClock, "now">,
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

  private now(): number {
    return this.clock.now();
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  private settle(): void {
    this.store.purge(this.now());
  }

  // --- Statuses ---------------------------------------------------------------------------------

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

  /** What a deployment points at, for rendering (either may be gone). */
  referenced(d: DeploymentRecord): { config?: ConfigurationRecord; version?: PublishedVersion } {
    const { id, version } = d.content.configuration;
    const config = this.store.getConfiguration(id);
    const published = config ? this.store.getVersion(id, Number(version)) : undefined;
    return { ...(config ? { config } : {}), ...(published ? { version: published } : {}) };
  }

  // --- Configurations ---------------------------------------------------------------------------

  createConfiguration(body: unknown): ConfigurationRecord {
    const draft = parseConfiguration(body);
    this.settle();
    const now = this.iso();
    return this.store.insertConfiguration({
      id: randomUUID(),
      draft,
      dateCreated: now,
      draftModified: now,
      draftReadyAt: this.now() + this.timingValue.draftSettleMs,
    });
  }

  listConfigurations(query: CursorQuery & { onlyPublished: boolean }): CursorPage<ConfigurationRecord> {
    this.settle();
    return this.store.listConfigurations(query);
  }

  /** A lookup after the due deletes are done: what is gone by now is a 404. */
  private found<T>(record: () => T | undefined, missing: () => ApiError): T {
    this.settle();
    const found = record();
    if (found === undefined) throw missing();
    return found;
  }

  configuration(id: string): ConfigurationRecord {
    return this.found(
      () => this.store.getConfiguration(id),
      () => configurationNotFound(id),
    );
  }

  private writableConfiguration(id: string): ConfigurationRecord {
    const c = this.configuration(id);
    if (c.goneAt !== undefined) throw configurationDeleting(id);
    return c;
  }

  /** The most recent published versions (newest first), leaving room for the draft in the listing, and their count. */
  recentVersions(c: ConfigurationRecord): { versions: PublishedVersion[]; total: number } {
    return { versions: this.store.recentVersions(c.id, MAX_VERSIONS_LISTED - 1), total: this.store.countVersions(c.id) };
  }

  /** `version` as the path spells it: a positive number (the draft is the caller's to handle). */
  publishedVersion(c: ConfigurationRecord, version: string): PublishedVersion {
    const v = /^[1-9]\d{0,8}$/.test(version) ? this.store.getVersion(c.id, Number(version)) : undefined;
    if (!v) throw versionNotFound(c.id, version);
    return v;
  }

  replaceDraft(id: string, body: unknown): ConfigurationRecord {
    const draft = parseConfiguration(body);
    const c = this.writableConfiguration(id);
    checkBodyId(body, c.id, "the configuration id in the path");
    const updated: ConfigurationRecord = {
      ...c,
      draft,
      draftModified: this.iso(),
      draftReadyAt: this.now() + this.timingValue.draftSettleMs,
    };
    this.store.updateConfiguration(updated);
    return updated;
  }

  publish(id: string): { config: ConfigurationRecord; version: PublishedVersion } {
    const c = this.writableConfiguration(id);
    if (this.draftStatus(c) === "Pending") throw draftNotReady(c.id);
    return { config: c, version: this.store.publish(c.id, c.draft, c.dateCreated, c.draftModified, this.iso()) };
  }

  /** Every version goes: Deleting, then gone; refused while any deployment points at it. */
  deleteConfiguration(id: string): void {
    const c = this.configuration(id);
    if (c.goneAt !== undefined) return;
    const users = this.store.deploymentsUsing(c.id);
    if (users.length > 0) throw configurationInUse(c.id, users);
    this.store.markConfigurationGone(c.id, this.now() + this.timingValue.deletionDelayMs);
    this.settle();
  }

  // --- Deployments ------------------------------------------------------------------------------

  /** A deployment may only point at a published version of a configuration that is not being deleted. */
  private checkReferences(content: DeploymentContent): void {
    const { id, version } = content.configuration;
    const config = this.store.getConfiguration(id);
    if (!config) throw invalidField("configuration.id", `configuration ${id} does not exist`);
    if (config.goneAt !== undefined) throw configurationDeleting(id);
    if (!this.store.getVersion(id, Number(version))) {
      const latest = this.store.latestVersion(id);
      throw invalidField(
        "configuration.version",
        latest === undefined
          ? `configuration ${id} has no published version yet; publish its draft first`
          : `configuration ${id} has no published version ${version} (latest: ${latest})`,
      );
    }
  }

  /** `snippet` builds the Messenger loader for the new id. */
  createDeployment(body: unknown, snippet: (id: string) => string): DeploymentRecord {
    const content = parseDeployment(body);
    this.settle();
    this.checkReferences(content);
    const id = randomUUID();
    const now = this.iso();
    return this.store.insertDeployment({
      id,
      content,
      snippet: snippet(id),
      dateCreated: now,
      dateModified: now,
      activeAt: this.now() + this.timingValue.activationDelayMs,
    });
  }

  listDeployments(query: CursorQuery): CursorPage<DeploymentRecord> {
    this.settle();
    return this.store.listDeployments(query);
  }

  deployment(id: string): DeploymentRecord {
    return this.found(
      () => this.store.getDeployment(id),
      () => deploymentNotFound(id),
    );
  }

  /** What the public Messenger endpoint serves: a deleting deployment is already gone for it. */
  liveDeployment(id: string): DeploymentRecord {
    const d = this.deployment(id);
    if (d.goneAt !== undefined) throw deploymentNotFound(d.id);
    return d;
  }

  replaceDeployment(id: string, body: unknown): DeploymentRecord {
    const content = parseDeployment(body);
    const d = this.deployment(id);
    checkBodyId(body, d.id, "the deployment id in the path");
    if (d.goneAt !== undefined) throw deploymentDeleting(d.id);
    this.checkReferences(content);
    const updated: DeploymentRecord = {
      ...d,
      content,
      dateModified: this.iso(),
      activeAt: this.now() + this.timingValue.activationDelayMs,
    };
    this.store.updateDeployment(updated);
    return updated;
  }

  deleteDeployment(id: string): void {
    const d = this.deployment(id);
    if (d.goneAt !== undefined) return;
    this.store.markDeploymentGone(d.id, this.now() + this.timingValue.deletionDelayMs);
    this.settle();
  }

  // --- Admin: broken dependencies ---------------------------------------------------------------

  listBroken(): BrokenMark[] {
    return this.store.listBroken();
  }

  setBroken(mark: BrokenMark): void {
    this.store.setBroken(mark);
  }

  clearBroken(kind: BrokenKind, id: string): void {
    if (!this.store.clearBroken(kind, id)) throw brokenMarkNotFound(kind, id);
  }
}
