/**
 * What a verified delivery does to the pool, and the memory that keeps a replayed, repeated or
 * late delivery from changing it. Pure: `decide` computes the outcome without touching anything,
 * so the server can apply it to the load balancer and persist it before committing it here.
 *
 * Two kinds of delivery arrive:
 * - platform events (Genesys): the channel was created, updated or deleted. `deleted` is final,
 *   since a channel id never comes back.
 * - provider enrolments (the body carries `enrolment`): a LoadBalancerWebhook tells the pool the
 *   current state of the channel it now follows, or that it no longer follows it (disabled,
 *   moved, deleted). A removal takes that webhook's claim away; the channel leaves the pool when
 *   no webhook claims it, and may still exist.
 * Each channel remembers the newest event applied to it (by the body's timestamp, which the
 * signature covers), also after it left the pool, so an older event can never undo a newer one.
 */
import { z } from "zod";

const EVENT_TYPES = ["webchat.brand.created", "webchat.brand.updated", "webchat.brand.deleted"] as const;

export const deliverySchema = z.object({
  id: z.string().min(1),
  eventType: z.enum(EVENT_TYPES),
  timestamp: z.iso.datetime({ offset: true }),
  brand: z.looseObject({
    id: z.string().min(1),
    name: z.string(),
    endpointUrl: z.string(),
    healthStatus: z.string().optional(),
  }),
  enrolment: z.object({ webhookId: z.string().min(1), reason: z.string() }).optional(),
});

export type Delivery = z.infer<typeof deliverySchema>;

export interface PoolMember {
  brandId: string;
  name: string;
  endpointUrl: string;
  healthStatus?: string;
  /** Webhooks known to follow this channel into this pool. */
  followers: string[];
  lastEvent: string;
  lastDeliveryId: string;
  /** Whether the last applied delivery was a platform event or a provider enrolment. */
  lastSource: "platform" | "enrolment";
  /** The body timestamp of that delivery. */
  asOf: string;
}

export interface ChannelRecord {
  brandId: string;
  /** Body timestamp (ms) of the newest delivery applied to this channel. */
  lastEventAt: number;
  /** Genesys reported the channel deleted: nothing can bring this id back. */
  deleted?: boolean;
  member?: PoolMember;
}

export interface LedgerSnapshot {
  version: 1;
  channels: ChannelRecord[];
  /** Delivery ids handled recently, with when they were handled (ms). */
  recentDeliveries: [string, number][];
}

type PoolChange = { kind: "upsert"; member: PoolMember } | { kind: "remove"; brandId: string } | { kind: "none" };

export type Decision =
  | { outcome: "duplicate" }
  | { outcome: "stale"; lastEventAt: number }
  | { outcome: "applied"; change: PoolChange; record: ChannelRecord; deliveryId: string };

export interface LedgerOptions {
  /** How long a delivery id is remembered; a repeat after that is caught by the channel's clock. */
  replayWindowMs?: number;
  /** How long a channel that left the pool keeps its clock. */
  forgetAfterMs?: number;
}

const PLATFORM = "(platform)";

export class Ledger {
  private readonly channels = new Map<string, ChannelRecord>();
  private readonly recent = new Map<string, number>();
  private readonly replayWindowMs: number;
  private readonly forgetAfterMs: number;

  constructor(snapshot?: LedgerSnapshot, opts: LedgerOptions = {}) {
    this.replayWindowMs = opts.replayWindowMs ?? 10 * 60_000;
    this.forgetAfterMs = opts.forgetAfterMs ?? 30 * 24 * 3600_000;
    if (snapshot) this.restore(snapshot);
  }

  /** Goes back to a snapshot (one taken before a commit whose save failed). */
  restore(snapshot: LedgerSnapshot): void {
    this.channels.clear();
    this.recent.clear();
    for (const record of snapshot.channels) this.channels.set(record.brandId, record);
    for (const [id, at] of snapshot.recentDeliveries) this.recent.set(id, at);
  }

  members(): PoolMember[] {
    return [...this.channels.values()].flatMap((r) => (r.member ? [r.member] : []));
  }

  /** `webhookId` is the X-Genesys-Webhook-Id header: a platform event names its webhook only there. */
  decide(delivery: Delivery, webhookId: string | undefined, nowMs: number): Decision {
    this.forget(nowMs);
    if (this.recent.has(delivery.id)) return { outcome: "duplicate" };
    const at = Date.parse(delivery.timestamp);
    const previous = this.channels.get(delivery.brand.id);
    const removal = delivery.eventType === "webchat.brand.deleted";
    if (previous && (at < previous.lastEventAt || (previous.deleted && !removal))) {
      return { outcome: "stale", lastEventAt: previous.lastEventAt };
    }
    const record: ChannelRecord = { brandId: delivery.brand.id, lastEventAt: Math.max(at, previous?.lastEventAt ?? at) };
    if (previous?.deleted) record.deleted = true;
    const follower = delivery.enrolment?.webhookId ?? webhookId ?? PLATFORM;
    const followers = new Set(previous?.member?.followers ?? []);
    let change: PoolChange;
    if (removal && !delivery.enrolment) {
      record.deleted = true;
      change = previous?.member ? { kind: "remove", brandId: delivery.brand.id } : { kind: "none" };
    } else if (removal) {
      followers.delete(follower);
      if (followers.size > 0 && previous?.member) {
        record.member = { ...previous.member, followers: [...followers].sort() };
        change = { kind: "none" };
      } else {
        change = previous?.member ? { kind: "remove", brandId: delivery.brand.id } : { kind: "none" };
      }
    } else {
      followers.add(follower);
      record.member = {
        brandId: delivery.brand.id,
        name: delivery.brand.name,
        endpointUrl: delivery.brand.endpointUrl,
        ...(delivery.brand.healthStatus !== undefined ? { healthStatus: delivery.brand.healthStatus } : {}),
        followers: [...followers].sort(),
        lastEvent: delivery.eventType,
        lastDeliveryId: delivery.id,
        lastSource: delivery.enrolment ? "enrolment" : "platform",
        asOf: delivery.timestamp,
      };
      change = { kind: "upsert", member: record.member };
    }
    return { outcome: "applied", change, record, deliveryId: delivery.id };
  }

  commit(decision: Extract<Decision, { outcome: "applied" }>, nowMs: number): void {
    this.channels.set(decision.record.brandId, decision.record);
    this.recent.set(decision.deliveryId, nowMs);
  }

  snapshot(): LedgerSnapshot {
    return { version: 1, channels: [...this.channels.values()], recentDeliveries: [...this.recent.entries()] };
  }

  private forget(nowMs: number): void {
    for (const [id, at] of this.recent) {
      if (nowMs - at <= this.replayWindowMs) break; // insertion order = time order
      this.recent.delete(id);
    }
    for (const [id, record] of this.channels) {
      if (!record.member && nowMs - record.lastEventAt > this.forgetAfterMs) this.channels.delete(id);
    }
  }
}
