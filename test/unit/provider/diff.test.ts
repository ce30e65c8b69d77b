import { describe, expect, it } from "vitest";
import { diffChannel } from "../../../provider/resources/channel/lifecycle";

const base = {
  name: "Support",
  description: "",
  endpointUrl: "wss://chat.example.com/ws",
  allowedOrigins: ["https://www.example.com"],
  channelTypes: ["webmessaging"],
  settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50, tlsCertificateChain: [], healthCheckInterval: 300 },
};

describe("channel diff", () => {
  it("reports no changes for the same definition, even with engine-owned keys and outputs present", () => {
    const olds = { ...base, __provider: "x", brandId: "b1", status: "active", healthStatus: "active", selfUri: "/x" };
    expect(diffChannel(olds, { ...base, __provider: "y" })).toMatchObject({ changes: false, replaces: [] });
  });

  it("treats an origin written differently but equal after normalisation as no change", () => {
    expect(diffChannel(base, { ...base, allowedOrigins: ["HTTPS://WWW.EXAMPLE.COM:443/"] }).changes).toBe(false);
  });

  it("updates in place when a setting changes and names the field", () => {
    const d = diffChannel(base, { ...base, settings: { ...base.settings, rateLimitThreshold: 60 } });
    expect(d).toMatchObject({ changes: true, replaces: [], deleteBeforeReplace: false, diffs: ["settings.rateLimitThreshold"] });
  });

  it("replaces, deleting first, when channelTypes change because names are unique", () => {
    const d = diffChannel(base, { ...base, channelTypes: ["webchat"] });
    expect(d).toMatchObject({ changes: true, replaces: ["channelTypes"], deleteBeforeReplace: true });
  });

  it("ignores a changed signature or adoptExistingId, which do not change the channel", () => {
    expect(diffChannel({ ...base, signature: "a".repeat(64) }, { ...base, signature: "b".repeat(64), adoptExistingId: "x" }).changes).toBe(
      false,
    );
  });
});

describe("channel diff during a preview", () => {
  // What the engine passes a dynamic provider for a value another resource has not produced yet.
  const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

  it("reports a list or number not known yet as a change of that field instead of failing", () => {
    const d = diffChannel(base, { ...base, allowedOrigins: UNKNOWN, settings: { ...base.settings, maxConcurrentSessions: UNKNOWN } });
    expect(d).toMatchObject({ changes: true, replaces: [], diffs: ["allowedOrigins", "settings.maxConcurrentSessions"] });
  });
});

describe("channel diff and health", () => {
  it("reports a channel whose last probe found it degraded or unreachable as a change", () => {
    expect(diffChannel({ ...base, healthStatus: "degraded" }, base)).toMatchObject({
      changes: true,
      diffs: ["healthStatus"],
      replaces: [],
    });
    expect(diffChannel({ ...base, healthStatus: "unreachable" }, base).changes).toBe(true);
  });

  it("treats an active or not yet probed channel as converged", () => {
    expect(diffChannel({ ...base, healthStatus: "active" }, base).changes).toBe(false);
    expect(diffChannel({ ...base, healthStatus: "pending" }, base).changes).toBe(false);
  });
});
