/**
 * The channel's `check` as the engine calls it: what it hands back, what it prints and what it
 * audits, with no network (check never calls the API).
 */
import { generateKeyPairSync } from "node:crypto";
import forge from "node-forge";
import { afterEach, describe, expect, it, vi } from "vitest";
import { checkChannel } from "../../../provider/resources/channel/lifecycle";
import { auditLines, testContext } from "../../support/provider-context";

/** Nothing listens here: a check that tried the API would fail. */
const NO_API = "http://127.0.0.1:9";
const creds = { clientId: "check-client", clientSecret: "check-secret-4d1a" };

/** A self-signed certificate for `host`, valid from yesterday until `daysLeft` days from now. */
function certificateExpiringIn(daysLeft: number, host: string): { pem: string; notAfter: Date } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: "spki", format: "pem" }).toString());
  cert.serialNumber = "01";
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 86_400_000);
  cert.validity.notAfter = new Date(now + daysLeft * 86_400_000);
  const attrs = [{ name: "commonName", value: host }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([{ name: "subjectAltName", altNames: [{ type: 2, value: host }] }]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: "pkcs8", format: "pem" }).toString()), forge.md.sha256.create());
  return { pem: forge.pki.certificateToPem(cert), notAfter: cert.validity.notAfter };
}

const definition = (chain: string[]) => ({
  name: "expiring",
  endpointUrl: "wss://chat.example.com/ws",
  allowedOrigins: ["https://www.example.com"],
  channelTypes: ["webmessaging"],
  settings: { maxConcurrentSessions: 10, rateLimitThreshold: 10, tlsCertificateChain: chain },
});

afterEach(() => vi.restoreAllMocks());

describe("check", () => {
  it("passes a certificate that expires within 30 days and prints the warning the README promises", async () => {
    const { pem, notAfter } = certificateExpiringIn(10, "chat.example.com");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const { failures, inputs } = await checkChannel(testContext(NO_API, creds), definition([pem]));
    expect(failures).toEqual([]);
    expect((inputs.settings as { tlsCertificateChain: string[] }).tlsCertificateChain).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(
      new RegExp(
        `^settings\\.tlsCertificateChain\\[0\\]: the leaf certificate .* expires on ${notAfter.toISOString().slice(0, 10)}, in (9|10) days`,
      ),
    );
  });

  it("prints no warning for a certificate with more than 30 days left", async () => {
    const { pem } = certificateExpiringIn(45, "chat.example.com");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect((await checkChannel(testContext(NO_API, creds), definition([pem]))).failures).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });

  it("audits a failed check with every problem, the payload's hash and the client as actor", async () => {
    const ctx = testContext(NO_API, creds);
    const { failures } = await checkChannel(ctx, {
      ...definition([]),
      name: "",
      settings: { maxConcurrentSessions: 0, rateLimitThreshold: 10 },
    });
    expect(failures.map((f) => f.property)).toEqual(["name", "settings.maxConcurrentSessions"]);
    const [record] = auditLines(ctx.auditDir);
    expect(record).toMatchObject({
      action: "check",
      outcome: "failure",
      resourceType: "genesys:WebMessagingChannel",
      actor: creds.clientId,
    });
    expect(String(record!.error).split("\n")).toHaveLength(2);
    expect(String(record!.payloadHash)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("audits nothing for a definition that passes", async () => {
    const ctx = testContext(NO_API, creds);
    expect((await checkChannel(ctx, definition([]))).failures).toEqual([]);
    expect(auditLines(ctx.auditDir)).toEqual([]);
  });

  it("carries the channel's id from the state's inputs, so a preview of an in-place update knows the brandId", async () => {
    const ctx = testContext(NO_API, creds);
    const olds = { ...definition([]), brandId: "b-123" };
    const changed = { ...definition([]), description: "changed" };
    expect((await checkChannel(ctx, changed, olds)).inputs.brandId).toBe("b-123");
  });

  it("does not carry the id when channelTypes change, since the channel is then replaced and gets a new one", async () => {
    const ctx = testContext(NO_API, creds);
    const olds = { ...definition([]), brandId: "b-123" };
    const { inputs, failures } = await checkChannel(ctx, { ...definition([]), channelTypes: ["webchat", "webmessaging"] }, olds);
    expect(failures).toEqual([]);
    expect(inputs).not.toHaveProperty("brandId");
    expect((await checkChannel(ctx, definition([]), definition([]))).inputs).not.toHaveProperty("brandId");
  });

  it("never treats a carried id as part of the definition: it is not validated, signed or refused as an unknown key", async () => {
    const ctx = testContext(NO_API, creds);
    const { failures } = await checkChannel(ctx, { ...definition([]), brandId: "b-123" }, {});
    expect(failures).toEqual([]);
  });
});
