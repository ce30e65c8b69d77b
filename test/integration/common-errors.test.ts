/**
 * The source design's "Common Errors & Debugging" entries, each reproduced against the emulator.
 * The message an engineer sees must name the cause and the fix (the README's troubleshooting
 * section quotes these messages).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { checkChannel, createChannel, type ChannelInputs } from "../../provider/runtime/channel";
import { signDefinition } from "../../provider/validation";
import { EmulatorAdmin } from "../support/admin";
import { testContext } from "../support/provider-context";

const owner = { clientId: "errors-client", clientSecret: "errors-secret-c0ffee" };
const readOnly = { clientId: "read-only-client", clientSecret: "read-only-secret-beef" };
const ADMIN = "errors-admin";
let emulator: RunningEmulator;
let admin: EmulatorAdmin;

const definition = (name: string): ChannelInputs => ({
  name,
  description: "",
  endpointUrl: "wss://chat.example.com/ws",
  allowedOrigins: ["https://www.example.com"],
  channelTypes: ["webmessaging"],
  settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50, tlsCertificateChain: [], healthCheckInterval: 300 },
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => "no error",
    (e: Error) => e.message,
  );

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    data: ":memory:",
    clients: [owner, { ...readOnly, scopes: ["webchat:brand:read"] }],
    adminToken: ADMIN,
    quiet: true,
  });
  admin = new EmulatorAdmin(emulator.url, ADMIN);
});
afterAll(async () => emulator?.close());
beforeEach(async () => admin.reset());

describe("common errors name the cause and the fix", () => {
  it("401 Unauthorized: wrong client credentials point at the secret to set", async () => {
    const message = await failure(createChannel(testContext(emulator.url, { ...owner, clientSecret: "wrong" }), definition("e401")));
    expect(message).toMatch(/obtain an OAuth token failed: 401 invalid_client/);
    expect(message).toContain("pulumi config set --secret genesys:clientSecret");
    expect(message).not.toContain("wrong");
  });

  it("403 Forbidden: a client without the write scope is told which scope to grant", async () => {
    const message = await failure(createChannel(testContext(emulator.url, readOnly), definition("e403")));
    expect(message).toMatch(/403 missing\.any\.permissions/);
    expect(message).toContain("webchat:brand:write");
    expect(message).toMatch(/correlation id [0-9a-f-]{36}/);
  });

  it("400 Bad Request: an invalid allowedOrigins entry is refused at check, before any API call, naming the entry", async () => {
    const ctx = testContext(emulator.url, owner);
    const { failures } = await checkChannel(ctx, { ...definition("e400"), allowedOrigins: ["https://www.example.com/app"] });
    expect(failures).toEqual([expect.objectContaining({ property: "allowedOrigins[0]" })]);
    expect(failures[0].reason).toMatch(/path/);
    expect(await admin.requests()).toEqual([]);
  });

  it("400 Bad Request from the server names the field and the Genesys code", async () => {
    const ctx = testContext(emulator.url, owner);
    const message = await failure(ctx.client.brands.create({ ...definition("e400-server"), allowedOrigins: ["not an origin"] }));
    expect(message).toMatch(/create channel "e400-server" failed: 400 (bad\.request|invalid\.value) - .*allowedOrigins/);
    expect(message).toMatch(/fix the field named above/);
  });

  it("429 Too Many Requests: a limit that outlasts the retry policy fails with what to do", async () => {
    const ctx = testContext(emulator.url, owner);
    await admin.fault({ path: "/api/v2/webchat/brands", status: 429, retryAfter: 600 });
    const message = await failure(createChannel(ctx, definition("e429")));
    expect(message).toMatch(/failed: 429 too\.many\.requests\.retry\.after/);
    expect(message).toMatch(/lower `pulumi up --parallel` or try later/);
  });

  it("DNS resolution failed: an endpoint host that does not resolve is refused at create, naming the host", async () => {
    const ctx = testContext(emulator.url, owner, {
      resolver: async (host) => {
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
      },
    });
    const message = await failure(createChannel(ctx, { ...definition("edns"), endpointUrl: "wss://no-such-host.invalid/ws" }));
    expect(message).toMatch(/DNS resolution failed for no-such-host\.invalid/);
    expect(message).toMatch(/check the hostname/);
    expect((await admin.requests()).filter((r) => r.method === "POST" && r.path.startsWith("/api/"))).toEqual([]);
  });

  it("Payload signature mismatch: a definition changed after signing is refused with the words signature mismatch", async () => {
    const key = "common-errors-signing-key";
    const ctx = testContext(emulator.url, owner, { signatureKey: key });
    const signed = { ...definition("esig"), signature: signDefinition(definition("esig"), key) };
    expect((await checkChannel(ctx, signed)).failures).toEqual([]);
    const tampered = { ...signed, settings: { ...signed.settings, maxConcurrentSessions: 9999 } };
    const { failures } = await checkChannel(ctx, tampered);
    expect(failures).toEqual([expect.objectContaining({ property: "signature" })]);
    expect(failures[0].reason).toContain("signature mismatch");
    const message = await failure(createChannel(ctx, tampered));
    expect(message).toContain("signature mismatch");
    expect(message).not.toContain(key);
  });
});
