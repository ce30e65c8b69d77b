/**
 * An API or login host that does not resolve is a typo in a setting, not a transient fault: the
 * client fails on the first attempt and names the host and the setting to fix. `.invalid` is
 * reserved (RFC 6761), so no resolver anywhere answers for it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { createGenesysClient, GenesysApiError, type BrandSpec } from "../../provider/genesys";

const clientId = "dns-client";
const clientSecret = "dns-secret-41c2";

const spec: BrandSpec = {
  name: "Unresolved",
  description: "",
  endpointUrl: "wss://chat.example.com/ws",
  allowedOrigins: ["https://www.example.com"],
  channelTypes: ["webmessaging"],
  settings: { maxConcurrentSessions: 10, rateLimitThreshold: 10, tlsCertificateChain: [], healthCheckInterval: 300 },
};

async function failure(run: () => Promise<unknown>): Promise<GenesysApiError> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(GenesysApiError);
    return err as GenesysApiError;
  }
  throw new Error("expected the call to fail");
}

describe("a host that does not resolve", () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, data: ":memory:", clients: [{ clientId, clientSecret }], quiet: true });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it("fails a GET on the first attempt, naming the API host and genesys:apiUrl", async () => {
    const client = createGenesysClient({ clientId, clientSecret, apiUrl: "https://api.nowhere.invalid", authUrl: emulator.url });
    const err = await failure(() => client.brands.get("4b1e8f0e-0000-4000-8000-000000000000"));
    expect(err.message).toContain("the host api.nowhere.invalid does not resolve (ENOTFOUND); check genesys:apiUrl ");
    expect(err.code).toBe("ENOTFOUND");
    expect(err.details.attempts).toBe(1);
  });

  it("fails a POST as plainly: nothing was sent, so its outcome is not unknown", async () => {
    const client = createGenesysClient({ clientId, clientSecret, apiUrl: "https://api.nowhere.invalid", authUrl: emulator.url });
    const err = await failure(() => client.brands.create(spec));
    expect(err.message).toContain("the host api.nowhere.invalid does not resolve (ENOTFOUND)");
    expect(err.message).not.toContain("outcome is unknown");
    expect(err.details.outcomeUnknown).toBeUndefined();
  });

  it("prints the README's Troubleshooting message for a mistyped genesys:apiUrl", async () => {
    const client = createGenesysClient({ clientId, clientSecret, apiUrl: "https://api.mypurecloud.invalid" });
    const err = await failure(() => client.brands.get("4b1e8f0e-0000-4000-8000-000000000000"));
    expect(err.message).toBe(
      "obtain an OAuth token failed: the host api.mypurecloud.invalid does not resolve (ENOTFOUND); check genesys:apiUrl " +
        "(a typo, or a region name where a domain was meant) and that the host resolves from where Pulumi runs",
    );
  });

  it("names the login host and genesys:authUrl when only the login host is wrong", async () => {
    const client = createGenesysClient({ clientId, clientSecret, apiUrl: emulator.url, authUrl: "https://login.nowhere.invalid" });
    const err = await failure(() => client.brands.get("4b1e8f0e-0000-4000-8000-000000000000"));
    expect(err.message).toMatch(
      /^obtain an OAuth token failed: the host login\.nowhere\.invalid does not resolve \(ENOTFOUND\); check genesys:authUrl /,
    );
    expect(err.details.attempts).toBe(1);
  });
});
