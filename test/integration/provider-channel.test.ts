/**
 * WebMessagingChannel's provider methods against the in-process emulator: atomic create, health,
 * drift on read, optimistic-concurrency updates, adoption, and the audit record of each.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { type BrandSpec, createGenesysClient } from "../../provider/genesys";
import {
  checkChannel,
  createChannel,
  deleteChannel,
  diffChannel,
  readChannel,
  updateChannel,
  type ChannelInputs,
} from "../../provider/resources/channel/lifecycle";
import { signDefinition } from "../../provider/validation";
import { EmulatorAdmin } from "../support/admin";
import { auditLines, testContext } from "../support/provider-context";

const owner = { clientId: "provider-client", clientSecret: "provider-secret-91ab" };
const other = { clientId: "admin-ui-client", clientSecret: "admin-ui-secret-77cd" };
const ADMIN = "provider-admin";

let emulator: RunningEmulator;
let admin: EmulatorAdmin;

const definition = (name: string, patch: Partial<ChannelInputs> = {}): ChannelInputs => ({
  name,
  description: "",
  endpointUrl: "wss://chat.example.com/ws",
  allowedOrigins: ["https://www.example.com"],
  channelTypes: ["webmessaging"],
  settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50, tlsCertificateChain: [], healthCheckInterval: 300 },
  ...patch,
});

const asSpec = (d: ChannelInputs): BrandSpec => ({
  name: d.name,
  description: d.description,
  endpointUrl: d.endpointUrl,
  allowedOrigins: d.allowedOrigins,
  channelTypes: d.channelTypes,
  settings: { ...d.settings },
});

/** A second OAuth client, the way an edit made in the admin UI reaches the API. */
const outOfBand = () => createGenesysClient({ apiUrl: emulator.url, ...other, policy: { baseDelayMs: 1 } });

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, data: ":memory:", clients: [owner, other], adminToken: ADMIN, quiet: true });
  admin = new EmulatorAdmin(emulator.url, ADMIN);
});
afterAll(async () => emulator?.close());
beforeEach(async () => admin.reset());

describe("WebMessagingChannel provider", () => {
  it("creates a channel, waits for an active health probe and audits the create", async () => {
    const ctx = testContext(emulator.url, owner);
    const { id, outs } = await createChannel(ctx, definition("created"));
    expect(outs).toMatchObject({ brandId: id, status: "active", healthStatus: "active", name: "created" });
    const [health, record] = auditLines(ctx.auditDir);
    expect(health).toMatchObject({ action: "health", outcome: "success", targetId: id, healthStatus: "active" });
    expect(record).toMatchObject({ action: "create", outcome: "success", targetId: id, healthStatus: "active", actor: owner.clientId });
    expect(String(record.payloadHash)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("deletes the channel again when it never becomes healthy, so no orphan remains", async () => {
    const probing = await startEmulator({ port: 0, data: ":memory:", clients: [owner], healthProbe: "connect", quiet: true });
    try {
      const ctx = testContext(probing.url, owner, { allowPrivateNetworks: true, healthTimeoutSeconds: 1, healthPollIntervalMs: 200 });
      const err = await createChannel(ctx, definition("never-healthy", { endpointUrl: "wss://127.0.0.1:9/nothing-listens" })).catch(
        (e: Error) => e,
      );
      expect(String(err)).toMatch(/did not become healthy within 1 s \(last health status: unreachable\).*deleted again/s);
      const left = await createGenesysClient({ apiUrl: probing.url, ...owner }).brands.findByName("never-healthy");
      expect(left).toBeUndefined();
      const trail = auditLines(ctx.auditDir);
      expect(trail.at(-2)).toMatchObject({ action: "health", outcome: "failure", healthStatus: "unreachable" });
      expect(trail.at(-1)).toMatchObject({ action: "create", outcome: "failure" });
    } finally {
      await probing.close();
    }
  });

  it("deletes the channel again when an error strikes between the POST and the health check", async () => {
    const ctx = testContext(emulator.url, owner);
    await admin.fault({ method: "GET", path: "expand=health|/api/v2/webchat/brands/[0-9a-f-]+$", status: 500 });
    const err = await createChannel(ctx, definition("between-calls")).catch((e: Error) => e);
    await admin.clearFaults();
    expect(String(err)).toMatch(/500.*deleted again/s);
    expect(await ctx.client.brands.findByName("between-calls")).toBeUndefined();
  });

  it("adopts an identical channel left by an interrupted create instead of failing on the name", async () => {
    const ctx = testContext(emulator.url, owner);
    const { brand } = await ctx.client.brands.create(asSpec(definition("interrupted")));
    const { id } = await createChannel(ctx, definition("interrupted"));
    expect(id).toBe(brand.id);
  });

  it("refuses to take over a different channel that owns the name, never touches it, and names the differing field and how to adopt it", async () => {
    const ctx = testContext(emulator.url, owner);
    const { brand } = await outOfBand().brands.create(asSpec(definition("taken", { description: "someone else's" })));
    const err = await createChannel(ctx, definition("taken")).catch((e: Error) => e);
    expect(String(err)).toContain(
      `a channel named "taken" already exists (${brand.id}) and differs from this definition in description; ` +
        `choose another name, or adopt it with adoptExistingId: "${brand.id}"`,
    );
    const after = await outOfBand().brands.get(brand.id);
    expect(after).toMatchObject({ version: brand.version, description: "someone else's" });
    const writes = (await admin.requests()).filter((r) => r.clientId === owner.clientId && (r.method === "PUT" || r.method === "DELETE"));
    expect(writes).toEqual([]);
  });

  it("reads live inputs so an out-of-band edit shows as drift in exactly the edited fields", async () => {
    const ctx = testContext(emulator.url, owner);
    const declared = definition("drifting");
    const { id, outs } = await createChannel(ctx, declared);
    const live = await outOfBand().brands.get(id);
    await outOfBand().brands.update(
      id,
      { ...asSpec(declared), settings: { ...declared.settings, rateLimitThreshold: 999 } },
      live!.version,
    );
    const read = await readChannel(ctx, id, outs as unknown as Record<string, unknown>);
    expect(read.id).toBe(id);
    expect(read.inputs!.brandId).toBe(id);
    expect(diffChannel(read.inputs!, declared as unknown as Record<string, unknown>).diffs).toEqual(["settings.rateLimitThreshold"]);
    expect(read.props?.healthStatus).toBe("active");
  });

  it("reports a deleted channel with an empty id so the engine drops it", async () => {
    const ctx = testContext(emulator.url, owner);
    const { id, outs } = await createChannel(ctx, definition("vanishing"));
    await outOfBand().brands.delete(id);
    expect(await readChannel(ctx, id, outs as unknown as Record<string, unknown>)).toEqual({ id: "" });
  });

  it("shows a channel that turned unhealthy on read", async () => {
    const ctx = testContext(emulator.url, owner);
    const { id, outs } = await createChannel(ctx, definition("sickly"));
    await admin.setHealth(id, "degraded");
    expect((await readChannel(ctx, id, outs as unknown as Record<string, unknown>)).props?.healthStatus).toBe("degraded");
  });

  it("re-reads and retries once when someone else updated the channel between read and write", async () => {
    const ctx = testContext(emulator.url, owner);
    const declared = definition("contended");
    const { id } = await createChannel(ctx, declared);
    const realGet = ctx.client.brands.get.bind(ctx.client.brands);
    let raced = false;
    ctx.client.brands.get = async (brandId, opts) => {
      const brand = await realGet(brandId, opts);
      if (!raced && brand && !opts?.health) {
        raced = true; // an admin edits the channel right after our read
        await outOfBand().brands.update(brandId, { ...asSpec(declared), description: "edited in the UI" }, brand.version);
      }
      return brand;
    };
    const { outs } = await updateChannel(ctx, id, definition("contended", { description: "declared" }));
    expect(outs.description).toBe("declared");
    const puts = (await admin.requests()).filter((r) => r.method === "PUT" && r.clientId === owner.clientId);
    expect(puts.map((r) => r.status)).toEqual([409, 200]);
  });

  it("fails clearly when the version keeps changing under it", async () => {
    const ctx = testContext(emulator.url, owner);
    const declared = definition("hot");
    const { id } = await createChannel(ctx, declared);
    const realGet = ctx.client.brands.get.bind(ctx.client.brands);
    let n = 0;
    ctx.client.brands.get = async (brandId, opts) => {
      const brand = await realGet(brandId, opts);
      if (brand && !opts?.health)
        await outOfBand().brands.update(brandId, { ...asSpec(declared), description: `edit ${++n}` }, brand.version);
      return brand;
    };
    const err = await updateChannel(ctx, id, definition("hot", { description: "declared" })).catch((e: Error) => e);
    expect(String(err)).toMatch(/409 version\.mismatch.*someone changed the channel at the same time/);
  });

  it("treats deleting an already deleted channel as done", async () => {
    const ctx = testContext(emulator.url, owner);
    const { id } = await createChannel(ctx, definition("twice-deleted"));
    await deleteChannel(ctx, id, { name: "twice-deleted" });
    await expect(deleteChannel(ctx, id, { name: "twice-deleted" })).resolves.toBeUndefined();
  });

  it("adopts an existing channel by id and converges it to the declaration", async () => {
    const ctx = testContext(emulator.url, owner);
    const { brand } = await outOfBand().brands.create(asSpec(definition("legacy", { description: "hand made" })));
    const { id, outs } = await createChannel(ctx, definition("legacy", { description: "managed now", adoptExistingId: brand.id }));
    expect(id).toBe(brand.id);
    expect(outs).toMatchObject({ description: "managed now", adoptExistingId: brand.id });
    expect((await ctx.client.brands.get(brand.id))?.description).toBe("managed now");
  });

  it("refuses the endpoint at create when its host resolves to a private address", async () => {
    const ctx = testContext(emulator.url, owner, { resolver: async () => ["10.1.2.3"] });
    const err = await createChannel(ctx, definition("private")).catch((e: Error) => e);
    // The address and why it is refused, on the endpointUrl line (the rest of the wording is the network rules').
    expect(String(err)).toMatch(
      /^Error: channel endpoint refused:\n {2}- endpointUrl: host "chat\.example\.com" resolves to 10\.1\.2\.3, a private-network address/,
    );
    expect((await admin.requests()).filter((r) => r.method === "POST" && r.path.startsWith("/api/v2/webchat"))).toEqual([]);
  });

  it("creates and updates a signed channel from the inputs check returned, even where check normalises the definition", async () => {
    const key = "provider-signing-key";
    const ctx = testContext(emulator.url, owner, { signatureKey: key });
    // Upper-case origin and no tlsCertificateChain: check's canonical form differs from what was signed.
    const { tlsCertificateChain: _chain, ...settings } = definition("signed").settings;
    const written = { ...definition("signed", { allowedOrigins: ["https://WWW.Example.com:443"] }), settings } as ChannelInputs;
    const checked = await checkChannel(ctx, { ...written, signature: signDefinition(written, key) });
    expect(checked.failures).toEqual([]);
    const { id, outs } = await createChannel(ctx, checked.inputs as unknown as ChannelInputs);
    expect(outs.allowedOrigins).toEqual(["https://www.example.com"]);
    const changed = { ...written, description: "signed again" };
    const rechecked = await checkChannel(ctx, { ...changed, signature: signDefinition(changed, key) });
    expect(diffChannel(outs as unknown as Record<string, unknown>, rechecked.inputs).diffs).toEqual(["description"]);
    expect((await updateChannel(ctx, id, rechecked.inputs as unknown as ChannelInputs)).outs.description).toBe("signed again");
  });

  it("check reports every failure with its property path and makes no API call", async () => {
    const ctx = testContext(emulator.url, owner);
    const { failures } = await checkChannel(ctx, {
      ...definition("bad"),
      settings: { maxConcurrentSessions: 20000, rateLimitThreshold: 0 },
      __provider: "x",
    });
    expect(failures.map((f) => f.property).sort()).toEqual(["settings.maxConcurrentSessions", "settings.rateLimitThreshold"]);
    expect(await admin.requests()).toEqual([]);
  });

  it("on up, probes a degraded channel again instead of rewriting it: same version, no PUT, no updated event", async () => {
    const events: { eventType: string; brand: { name: string } }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        events.push(JSON.parse(body) as (typeof events)[number]);
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    try {
      const ctx = testContext(emulator.url, owner);
      const declared = definition("probed-again");
      const { id, outs } = await createChannel(ctx, declared);
      await ctx.client.webhooks.create({
        name: "updates-of-probed-again",
        uri: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`,
        eventFilters: [{ eventType: "webchat.brand.updated", brandId: id }],
        type: "rest",
        enabled: true,
        deliveryPolicy: { retryCount: 0, retryInterval: 1 },
      });
      const versionBefore = (await ctx.client.brands.get(id))!.version;
      await admin.setHealth(id, "degraded");
      const read = await readChannel(ctx, id, outs as unknown as Record<string, unknown>);
      expect(diffChannel(read.props as unknown as Record<string, unknown>, declared as unknown as Record<string, unknown>).diffs).toEqual([
        "healthStatus",
      ]);
      await admin.setHealth(id, null);
      await admin.clearRequests();

      const { outs: after } = await updateChannel(ctx, id, declared);

      expect(after.healthStatus).toBe("active");
      const calls = (await admin.requests()).filter((r) => r.path.startsWith(`/api/v2/webchat/brands/${id}`));
      expect(calls.map((r) => `${r.method} ${r.path.replace(id, "{id}")} ${r.status}`)).toEqual([
        "GET /api/v2/webchat/brands/{id} 200",
        "GET /api/v2/webchat/brands/{id}?expand=health 200",
      ]);
      expect((await ctx.client.brands.get(id))!.version).toBe(versionBefore);
      // A real change afterwards is delivered; deliveries to one webhook go out in order, so once
      // it has arrived, an event from the probe would have arrived before it.
      await updateChannel(ctx, id, definition("probed-again", { description: "a real change" }));
      const deadline = Date.now() + 30_000;
      while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(events.map((e) => e.eventType)).toEqual(["webchat.brand.updated"]);
      expect((await ctx.client.brands.get(id))!.version).toBe(versionBefore + 1);
    } finally {
      await new Promise<void>((r) => receiver.close(() => r()));
    }
  });

  it("creates a channel whose first health probe is not yet active, waiting for the next one", async () => {
    const ctx = testContext(emulator.url, owner);
    const realGet = ctx.client.brands.get.bind(ctx.client.brands);
    let probes = 0;
    ctx.client.brands.get = async (brandId, opts) => {
      if (!opts?.health) return realGet(brandId, opts);
      // The emulator's first probe of the new channel reports "pending", the next one "active".
      probes++;
      await admin.setHealth(brandId, probes === 1 ? "pending" : null);
      return realGet(brandId, opts);
    };
    const { id, outs } = await createChannel(ctx, definition("slow-to-start"));
    expect(outs.healthStatus).toBe("active");
    const probed = (await admin.requests()).filter((r) => r.method === "GET" && r.path === `/api/v2/webchat/brands/${id}?expand=health`);
    expect(probed.map((r) => r.status)).toEqual([200, 200]);
    expect(auditLines(ctx.auditDir).map((r) => [r.action, r.outcome, r.healthStatus])).toEqual([
      ["health", "success", "active"],
      ["create", "success", "active"],
    ]);
  });

  it("says when a channel that failed its health check could not be deleted again, naming it, and audits which one", async () => {
    const ctx = testContext(emulator.url, owner);
    await admin.fault({ method: "GET", path: "expand=health|/api/v2/webchat/brands/[0-9a-f-]+$", status: 500 });
    await admin.fault({ method: "DELETE", path: "/api/v2/webchat/brands/", status: 500 });
    const err = (await createChannel(ctx, definition("stuck")).catch((e: unknown) => e)) as Error & { cause?: unknown };
    await admin.clearFaults();
    const left = await ctx.client.brands.findByName("stuck");
    expect(left?.name).toBe("stuck");
    expect(err.message).toMatch(/^read channel \S+ with a health probe failed: 500 /);
    expect(err.message).toContain(`; the channel could not be deleted again (delete channel ${left!.id} failed: 500 `);
    expect(err.message).toMatch(new RegExp(`: delete channel ${left!.id} by hand, or adopt it with adoptExistingId: "${left!.id}"$`));
    // The cleanup's own failure is kept beside the original, never in its place.
    expect((err as { cleanupError?: unknown }).cleanupError).toMatchObject({ name: "GenesysApiError", status: 500 });
    // The original failure is kept with its status and correlation id.
    expect(err.cause).toMatchObject({ name: "GenesysApiError", status: 500 });
    expect((err.cause as { correlationId?: string }).correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(auditLines(ctx.auditDir).at(-1)).toMatchObject({ action: "create", outcome: "failure", targetId: left!.id });
  });

  it("refuses adoptExistingId of a channel with other channelTypes, and leaves it untouched", async () => {
    const ctx = testContext(emulator.url, owner);
    const { brand } = await outOfBand().brands.create(asSpec(definition("chat-only", { channelTypes: ["webchat"] })));
    const err = await createChannel(ctx, definition("chat-only", { adoptExistingId: brand.id })).catch((e: Error) => e);
    expect(String(err)).toBe(
      `Error: adoptExistingId: channel ${brand.id} has channelTypes ["webchat"], which cannot change after creation; declare those`,
    );
    const writes = (await admin.requests()).filter(
      (r) => r.clientId === owner.clientId && r.method !== "GET" && r.path.startsWith("/api/"),
    );
    expect(writes).toEqual([]);
    expect((await outOfBand().brands.get(brand.id))?.version).toBe(brand.version);
  });

  it("refuses adoptExistingId of an id that does not exist and says how to create instead", async () => {
    const ctx = testContext(emulator.url, owner);
    const missing = "00000000-0000-4000-8000-000000000000";
    const err = await createChannel(ctx, definition("ghost", { adoptExistingId: missing })).catch((e: Error) => e);
    expect(String(err)).toBe(`Error: adoptExistingId: channel ${missing} does not exist; remove adoptExistingId to create a new channel`);
    expect(await ctx.client.brands.findByName("ghost")).toBeUndefined();
  });
});

describe("the audit records of channel operations", () => {
  it("count HTTP attempts, retries and the correlation id of every answered call", async () => {
    const ctx = testContext(emulator.url, owner);
    await ctx.client.transport.accessToken(); // the token request is not part of the operation
    await admin.clearRequests();
    await admin.fault({ method: "GET", path: "/api/v2/webchat/brands/", status: 500, count: 1 });
    const { id } = await createChannel(ctx, definition("counted"));
    const log = (await admin.requests()).filter((r) => r.path.startsWith("/api/v2/webchat/brands"));
    expect(log.map((r) => `${r.method} ${r.status}`)).toEqual(["POST 201", "GET 500", "GET 200"]);
    const record = auditLines(ctx.auditDir).find((r) => r.action === "create")!;
    // POST once, GET twice (one retry); the ids are those of the answers the operation used.
    expect(record).toMatchObject({ targetId: id, attempts: 3, retries: 1 });
    expect(record.correlationIds).toEqual([log[0]!.correlationId, log[2]!.correlationId]);
  });

  it("count no retry for a create whose lost answer was found by a lookup, and no correlation id for the unanswered POST", async () => {
    const ctx = testContext(emulator.url, owner);
    await ctx.client.transport.accessToken();
    await admin.clearRequests();
    await admin.fault({ method: "POST", path: "/api/v2/webchat/brands", reset: true, afterHandler: true, count: 1 });
    const { id } = await createChannel(ctx, definition("answer-lost"));
    const log = (await admin.requests()).filter((r) => r.path.startsWith("/api/v2/webchat/brands"));
    // The POST committed but its answer was lost (status 0); a lookup by name found it; then the probe.
    expect(log.map((r) => `${r.method} ${r.status}`)).toEqual(["POST 0", "GET 200", "GET 200"]);
    const record = auditLines(ctx.auditDir).find((r) => r.action === "create")!;
    expect(record).toMatchObject({ targetId: id, attempts: 3, retries: 0 });
    expect(record.correlationIds).toEqual([log[1]!.correlationId, log[2]!.correlationId]);
  });

  it("record a check that fails, with every problem and no API call", async () => {
    const ctx = testContext(emulator.url, owner);
    await checkChannel(ctx, { ...definition("unchecked"), settings: { maxConcurrentSessions: 20000, rateLimitThreshold: 50 } });
    const [record] = auditLines(ctx.auditDir);
    expect(record).toMatchObject({ action: "check", outcome: "failure", resourceName: "unchecked", actor: owner.clientId });
    expect(record!.error).toBe("  - settings.maxConcurrentSessions: must be at most 10000 (got 20000); lower it to 10000 or less");
    expect(await admin.requests()).toEqual([]);
  });

  it("record an adoption under its own action with the adopted id", async () => {
    const ctx = testContext(emulator.url, owner);
    const { brand } = await outOfBand().brands.create(asSpec(definition("inherited", { description: "hand made" })));
    await createChannel(ctx, definition("inherited", { adoptExistingId: brand.id }));
    const records = auditLines(ctx.auditDir);
    expect(records.map((r) => r.action)).toEqual(["health", "adopt"]);
    expect(records[1]).toMatchObject({ outcome: "success", targetId: brand.id, resourceName: "inherited", healthStatus: "active" });
    expect(String(records[1]!.payloadHash)).toMatch(/^[0-9a-f]{64}$/);
  });
});
