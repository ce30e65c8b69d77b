import { describe, expect, it } from "vitest";
import * as emulator from "../../emulator/contract";
import { HEALTH_STATUSES } from "../../provider/resources/channel/api";
import { hintFor } from "../../provider/genesys/errors";
import * as provider from "../../provider/validation/limits";

/**
 * The provider validates early with its own constants; the emulator stands in for Genesys with its own
 * transcription of the contract. Neither imports the other, so this is the one place that notices when they
 * drift apart: a provider stricter than the server refuses valid channels, a looser one lets the server
 * refuse them later, mid-`pulumi up`.
 */
describe("the provider's limits and the emulator's contract", () => {
  it("agree on every brand limit", () => {
    expect(provider.LIMITS.name).toEqual(emulator.BRAND_LIMITS.name);
    expect(provider.LIMITS.description).toEqual(emulator.BRAND_LIMITS.description);
    expect(provider.LIMITS.maxConcurrentSessions).toEqual(emulator.BRAND_LIMITS.maxConcurrentSessions);
    expect(provider.LIMITS.rateLimitThreshold).toEqual(emulator.BRAND_LIMITS.rateLimitThreshold);
    const { min, max } = provider.LIMITS.healthCheckInterval;
    expect({ min, max }).toEqual(emulator.BRAND_LIMITS.healthCheckInterval);
  });

  it("agree on the healthCheckInterval the server fills in when a body leaves it out", () => {
    // The provider's diff compares against what the server stores, so its default must be the server's.
    expect(provider.LIMITS.healthCheckInterval.default).toBe(emulator.DEFAULT_HEALTH_CHECK_INTERVAL);
  });

  it("agree on the channel types", () => {
    expect([...provider.CHANNEL_TYPES].sort()).toEqual([...emulator.CHANNEL_TYPES].sort());
  });

  it("agree on the webhook event types and the delivery policy limits", () => {
    expect([...provider.WEBHOOK_EVENT_TYPES].sort()).toEqual([...emulator.WEBHOOK_EVENT_TYPES].sort());
    expect(provider.WEBHOOK_LIMITS.retryCount).toEqual(emulator.WEBHOOK_LIMITS.retryCount);
    expect(provider.WEBHOOK_LIMITS.retryInterval).toEqual(emulator.WEBHOOK_LIMITS.retryInterval);
  });

  it("agree on the health statuses", () => {
    expect([...HEALTH_STATUSES].sort()).toEqual([...emulator.HEALTH_STATUSES].sort());
  });

  it("the provider's permission hint names every scope the contract requires, and no other", () => {
    const named = hintFor(403, "missing.any.permissions").match(/[a-z]+:[a-z]+:[a-z]+/g) ?? [];
    expect([...named].sort()).toEqual([...emulator.ALL_SCOPES].sort());
  });
});
