import { randomUUID } from "node:crypto";
import { isoNow, type EmulatorClock } from "../clock";
import type { ResolvedConfig } from "../config";
import type { HealthStatus } from "../contract";
import type { DeliveryDispatcher } from "../deliveries";
import { brandNameTaken, brandNotFound, brandVersionMismatch, invalidField } from "../errors";
import { probeEndpoint } from "../health";
import type { Brand, BrandInput } from "../model";
import type { Page, Store } from "../persistence/store";
import { checkBodyId, parseBrand, requireObjectBody } from "../validation";

export const BRANDS = "/api/v2/webchat/brands";

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  return sa.size === new Set(b).size && b.every((x) => sa.has(x));
}

type ServerOwned = Omit<Brand, "name" | "description" | "endpointUrl" | "allowedOrigins">;

/** The stored brand: the client's definition plus what the server owns, in the order Genesys answers it. */
function toBrand(input: BrandInput, owned: ServerOwned): Brand {
  return {
    id: owned.id,
    name: input.name,
    ...(input.description !== undefined ? { description: input.description } : {}),
    endpointUrl: input.endpointUrl,
    allowedOrigins: input.allowedOrigins,
    channelTypes: owned.channelTypes,
    settings: owned.settings,
    status: owned.status,
    version: owned.version,
    dateCreated: owned.dateCreated,
    dateModified: owned.dateModified,
    selfUri: owned.selfUri,
  };
}

/** Brands: the store's rows plus what the server owns (ids, versions, dates, health) and the events they emit. */
export class BrandsService {
  constructor(
    private readonly store: Store,
    private readonly dispatcher: DeliveryDispatcher,
    private readonly clock: EmulatorClock,
    private readonly healthProbe: ResolvedConfig["healthProbe"],
  ) {}

  /** POST: `body` is the client's JSON, validated here. */
  create(body: unknown): Brand {
    const { input } = parseBrand(body, { requireVersion: false });
    const now = isoNow(this.clock);
    const id = randomUUID();
    const brand = toBrand(input, {
      id,
      channelTypes: input.channelTypes,
      // No probe has run yet; the first expand=health (or none at all) decides.
      settings: { ...input.settings, healthStatus: "pending" },
      status: "active",
      version: 1,
      dateCreated: now,
      dateModified: now,
      selfUri: `${BRANDS}/${id}`,
    });
    if (this.store.insertBrand(brand) === "name-taken") throw brandNameTaken(brand.name);
    this.dispatcher.emit("webchat.brand.created", brand);
    return brand;
  }

  list(query: { name?: string; offset: number; limit: number }): Page<Brand> {
    return this.store.listBrands(query);
  }

  /** The stored JSON as-is: the hot path of a plain GET. */
  getJson(id: string): string {
    const doc = this.store.getBrandJson(id);
    if (doc === undefined) throw brandNotFound(id);
    return doc;
  }

  get(id: string): Brand {
    const brand = this.store.getBrand(id);
    if (!brand) throw brandNotFound(id);
    return brand;
  }

  /** Probes the endpoint (or takes the admin API's forced status) and records the result. */
  async checkHealth(id: string): Promise<Brand> {
    const brand = this.get(id);
    const forced = this.store.getHealthOverride(id);
    const status = forced ?? (this.healthProbe === "connect" ? await probeEndpoint(brand.endpointUrl) : "active");
    const updated = this.store.recordBrandHealth(id, status, isoNow(this.clock));
    if (!updated) throw brandNotFound(id); // deleted while the probe ran
    return updated;
  }

  /** PUT: the whole document with the version it was read at; 404 before any validation, as Genesys answers. */
  update(id: string, raw: unknown): Brand {
    const existing = this.get(id);
    const body = requireObjectBody(raw);
    checkBodyId(body, id);
    const { input, version } = parseBrand(body, { requireVersion: true });
    if (!sameSet(input.channelTypes, existing.channelTypes)) {
      throw invalidField("channelTypes", "cannot be changed after creation; delete the brand and create it again");
    }
    if (version !== existing.version) throw brandVersionMismatch(id, version);
    const updated = toBrand(input, {
      id,
      channelTypes: existing.channelTypes,
      settings: {
        ...input.settings,
        healthStatus: existing.settings.healthStatus,
        ...(existing.settings.lastHealthCheck !== undefined ? { lastHealthCheck: existing.settings.lastHealthCheck } : {}),
      },
      status: existing.status,
      version: existing.version + 1,
      dateCreated: existing.dateCreated,
      dateModified: isoNow(this.clock),
      selfUri: existing.selfUri,
    });
    switch (this.store.updateBrand(updated, existing.version)) {
      case "name-taken":
        throw brandNameTaken(updated.name);
      case "version-mismatch":
        throw brandVersionMismatch(id, version);
      case "not-found":
        throw brandNotFound(id);
      case "ok":
        break;
    }
    this.dispatcher.emit("webchat.brand.updated", updated);
    return updated;
  }

  delete(id: string): void {
    const deleted = this.store.deleteBrand(id);
    if (!deleted) throw brandNotFound(id);
    this.dispatcher.emit("webchat.brand.deleted", deleted);
  }

  /** Admin: force the health a probe reports (null: probe again). */
  setHealthOverride(id: string, status: HealthStatus | null): void {
    if (this.store.setHealthOverride(id, status) === "not-found") throw brandNotFound(id);
  }
}
