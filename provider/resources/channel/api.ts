/**
 * Brand (web messaging channel) calls, typed. Lifecycle -> HTTP:
 *   create   POST   /api/v2/webchat/brands            (unknown outcome -> look up by name, never a blind resend)
 *   get      GET    /api/v2/webchat/brands/{id}[?expand=health]   (404 -> undefined; maxAgeMs may
 *                   answer from what this process saw of the brand moments ago instead)
 *   find     GET    /api/v2/webchat/brands?name=
 *   update   PUT    /api/v2/webchat/brands/{id}       (body carries the version it replaces)
 *   delete   DELETE /api/v2/webchat/brands/{id}       (404 -> already gone)
 */
import { deletedUnlessGone, unlessNotFound } from "../../genesys/errors";
import { findByNameFilter } from "../../genesys/find-by-name";
import { PATHS } from "../../genesys/paths";
import type { CallTrace, Transport } from "../../genesys/transport";
import { createByUniqueName } from "../../genesys/unique-create";
import type { ChannelDefinition } from "./schema";

/** A value list, not only a type, so that a test can hold it against the emulator's contract. */
export const HEALTH_STATUSES = ["pending", "active", "degraded", "unreachable"] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/** The brand's body: the channel's definition with its defaults applied and without its signature. */
export type BrandSpec = Omit<ChannelDefinition, "signature">;

export interface Brand extends BrandSpec {
  id: string;
  status: string;
  version: number;
  settings: BrandSpec["settings"] & { healthStatus?: HealthStatus; lastHealthCheck?: string };
  dateCreated?: string;
  dateModified?: string;
  selfUri?: string;
}

/** Enough for every brand one `pulumi up` touches; the oldest are forgotten first. */
const RECENT_CAPACITY = 2_000;

export class BrandsApi {
  /**
   * The last state of each brand this process created, read or updated. A resource that depends
   * on a channel made a moment ago (its webhook) can use it instead of reading the brand again,
   * which under a rate limit is a call another resource could have had.
   */
  private readonly recent = new Map<string, { brand: Brand; at: number }>();

  constructor(private readonly transport: Transport) {}

  private remember(brand: Brand): Brand {
    this.recent.delete(brand.id);
    this.recent.set(brand.id, { brand, at: Date.now() });
    if (this.recent.size > RECENT_CAPACITY) this.recent.delete(this.recent.keys().next().value as string);
    return brand;
  }

  /**
   * Creates a brand. When the POST's outcome is unknown (reset, timeout, 5xx), the brand may
   * exist already: it is looked up by its unique name and adopted rather than created twice.
   */
  async create(spec: BrandSpec, trace?: CallTrace): Promise<{ brand: Brand; recovered: boolean }> {
    const operation = `create channel "${spec.name}"`;
    const { created, recovered } = await createByUniqueName(
      async () => (await this.transport.request<Brand>({ operation, method: "POST", path: PATHS.brands, body: spec, trace })).data,
      () => this.findByName(spec.name, trace),
    );
    return { brand: this.remember(created), recovered };
  }

  /**
   * `maxAgeMs`: a brand this process saw at most that long ago will do (never for a health probe,
   * which exists to ask the server now).
   */
  async get(id: string, opts: { health?: boolean; trace?: CallTrace; maxAgeMs?: number } = {}): Promise<Brand | undefined> {
    if (opts.maxAgeMs !== undefined && !opts.health) {
      const seen = this.recent.get(id);
      if (seen && Date.now() - seen.at <= opts.maxAgeMs) return seen.brand;
    }
    const brand = await unlessNotFound(
      async () =>
        (
          await this.transport.request<Brand>({
            operation: opts.health ? `read channel ${id} with a health probe` : `read channel ${id}`,
            method: "GET",
            path: PATHS.brand(id),
            query: opts.health ? { expand: "health" } : undefined,
            trace: opts.trace,
          })
        ).data,
    );
    if (!brand) {
      this.recent.delete(id);
      return undefined;
    }
    return this.remember(brand);
  }

  findByName(name: string, trace?: CallTrace): Promise<Brand | undefined> {
    return findByNameFilter<Brand>(this.transport, "channel", PATHS.brands, name, trace);
  }

  async update(id: string, spec: BrandSpec, version: number, trace?: CallTrace): Promise<Brand> {
    try {
      const res = await this.transport.request<Brand>({
        operation: `update channel "${spec.name}" (${id})`,
        method: "PUT",
        path: PATHS.brand(id),
        body: { ...spec, version },
        trace,
      });
      return this.remember(res.data);
    } catch (err) {
      // Whatever this process remembers of the brand is now in doubt.
      this.recent.delete(id);
      throw err;
    }
  }

  /** Returns false when the brand was already gone. */
  async delete(id: string, trace?: CallTrace): Promise<boolean> {
    this.recent.delete(id);
    return deletedUnlessGone(() =>
      this.transport.request({ operation: `delete channel ${id}`, method: "DELETE", path: PATHS.brand(id), trace }),
    );
  }
}
