/**
 * The source design's "Common Errors & Debugging" entries, each reproduced against the emulator.
 * The message an engineer sees must name the cause and the fix (the README's troubleshooting
 * section quotes these messages).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { checkChannel, createChannel, type ChannelInputs } from "../../provider/resources/channel/lifecycle";
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
  it("401 Unauthorized: wrong client credentials point at the secret to set (the README's message, in full)", async () => {
    const message = await failure(createChannel(testContext(emulator.url, { ...owner, clientSecret: "wrong" }), definition("e401")));
    expect(message).toBe(
      "obtain an OAuth token failed: 401 invalid_client (client authentication failed: check the client id and secret); " +
        "the OAuth client was refused: check genesys:clientId / genesys:clientSecret (pulumi config set --secret " +
        "genesys:clientSecret ...), that the client is active, and the region; `pulumi refresh` and `pulumi destroy` use the " +
        "settings saved by the last `pulumi up`: after fixing them, add --run-program to those two (or run `pulumi up` first)",
    );
    expect(message).not.toContain("wrong");
  });

  it("403 Forbidden: a client without the write scope is told which scope to grant (the README's message, in full)", async () => {
    const message = await failure(createChannel(testContext(emulator.url, readOnly), definition("e403")));
    expect(message).toMatch(
      new RegExp(
        `^${escape(
          'create channel "e403" failed: 403 missing.any.permissions - Unable to perform the requested action. You are ' +
            "missing the following permission(s): [webchat:brand:write]; the OAuth client lacks a permission: grant it the " +
            "scope named above (webchat:brand:read, webchat:brand:write, webhooks:webhook:write) (correlation id ",
        )}[0-9a-f-]{36}\\)$`,
      ),
    );
  });

  it("400 Bad Request: invalid definitions are refused at check, before any API call, one line per problem (the README's lines)", async () => {
    const ctx = testContext(emulator.url, owner);
    const { failures } = await checkChannel(ctx, {
      ...definition("e400"),
      allowedOrigins: ["https://www.example.com/app"],
      settings: { ...definition("e400").settings, maxConcurrentSessions: 20000 },
    });
    expect(failures.map((f) => `${f.property}: ${f.reason}`)).toEqual([
      'allowedOrigins[0]: must not have a path ("/app"); an origin is only scheme://host[:port], e.g. "https://www.example.com"',
      "settings.maxConcurrentSessions: must be at most 10000 (got 20000); lower it to 10000 or less",
    ]);
    expect(await admin.requests()).toEqual([]);
  });

  it("400 Bad Request from the server names the field and the Genesys code", async () => {
    const ctx = testContext(emulator.url, owner);
    const message = await failure(ctx.client.brands.create({ ...definition("e400-server"), allowedOrigins: ["not an origin"] }));
    expect(message).toMatch(/create channel "e400-server" failed: 400 (bad\.request|invalid\.value) - .*allowedOrigins/);
    expect(message).toMatch(/fix the field named above/);
  });

  it("429 Too Many Requests: a limit that outlasts the retry policy fails with what to do (the README's message, in full)", async () => {
    const ctx = testContext(emulator.url, owner);
    await admin.fault({ path: "/api/v2/webchat/brands", status: 429, retryAfter: 600 });
    const message = await failure(createChannel(ctx, definition("e429")));
    expect(message).toMatch(
      new RegExp(
        `^${escape(
          'create channel "e429" failed: 429 too.many.requests.retry.after - Rate limit exceeded the maximum. Retry the ' +
            "request in [600] seconds; the API kept answering 429 (rate limit) beyond what the retry policy waits for; lower " +
            "`pulumi up --parallel` or try later (correlation id ",
        )}[0-9a-f-]{36}\\)$`,
      ),
    );
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

  it("Payload signature mismatch: a definition changed after signing is refused with the README's message and the way to re-sign", async () => {
    const key = "common-errors-signing-key";
    const ctx = testContext(emulator.url, owner, { signatureKey: key });
    const signed = { ...definition("esig"), signature: signDefinition(definition("esig"), key) };
    expect((await checkChannel(ctx, signed)).failures).toEqual([]);
    const tampered = { ...signed, settings: { ...signed.settings, maxConcurrentSessions: 9999 } };
    const { failures } = await checkChannel(ctx, tampered);
    expect(failures.map((f) => `${f.property}: ${f.reason}`)).toEqual([
      "signature: signature mismatch: the definition was changed after signing, or signed with another key; re-sign " +
        "it with `CHANNEL_SIGNING_KEY=... npm run sign -- def.json`",
    ]);
    const message = await failure(createChannel(ctx, tampered));
    expect(message).toContain("signature mismatch");
    expect(message).not.toContain(key);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
