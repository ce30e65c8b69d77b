import { describe, expect, it } from "vitest";
import { validateChannel } from "../../../provider/resources/channel/schema";

type ValidationResult = ReturnType<typeof validateChannel>;
import { minimal, pem, pemLines } from "./fixtures";

function withChain(chain: unknown, endpointUrl = "https://wss.example.com/messages") {
  return minimal((d) => {
    d.endpointUrl = endpointUrl;
    d.settings.tlsCertificateChain = chain;
  });
}

function issues(result: ValidationResult) {
  return result.ok ? [] : result.issues;
}

describe("settings.tlsCertificateChain", () => {
  it.each([
    ["leaf only", [pem("leaf")]],
    ["leaf and intermediate", [pem("leaf"), pem("intermediate-ca")]],
    ["the full chain up to the root", [pem("leaf"), pem("intermediate-ca"), pem("root-ca")]],
    ["one entry holding the whole bundle", [pem("leaf") + pem("intermediate-ca")]],
    ["the PEM-lines form of the source design", pemLines(pem("leaf"), pem("intermediate-ca"))],
    ["CRLF line endings", [pem("leaf").replace(/\n/g, "\r\n")]],
    ["an empty chain", []],
  ])("accepts %s", (_label, chain) => {
    expect(validateChannel(withChain(chain))).toMatchObject({ ok: true, warnings: [] });
  });

  it("accepts a leaf whose second name matches the endpoint host", () => {
    expect(validateChannel(withChain([pem("leaf")], "wss://CHAT.example.com/ws")).ok).toBe(true);
  });

  it("refuses the source design's empty BEGIN/END pair", () => {
    expect(issues(validateChannel(withChain(["-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"])))).toEqual([
      { path: "settings.tlsCertificateChain[0]", message: expect.stringContaining("empty certificate") },
    ]);
  });

  it("refuses a certificate that has expired by opts.now", () => {
    const result = validateChannel(withChain([pem("leaf"), pem("intermediate-ca")]), { now: new Date("2100-01-02T00:00:00Z") });
    expect(issues(result)).toEqual([
      { path: "settings.tlsCertificateChain[0]", message: expect.stringContaining("expired on 2099-12-31T23:59:59.000Z") },
    ]);
  });

  it("refuses a certificate that is not valid yet at opts.now", () => {
    const result = validateChannel(withChain([pem("leaf")]), { now: new Date("2019-06-01T00:00:00Z") });
    expect(issues(result)[0]?.message).toContain("is not valid yet: valid from 2020-01-01T00:00:00.000Z");
  });

  it("warns, without failing, when the leaf expires within 30 days", () => {
    const result = validateChannel(withChain([pem("leaf"), pem("intermediate-ca")]), { now: new Date("2099-12-15T00:00:00Z") });
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      expect.stringMatching(/^settings\.tlsCertificateChain\[0\]: the leaf certificate .* expires on 2099-12-31, in 17 days/),
    ]);
  });

  it("does not warn when the leaf has more than 30 days left", () => {
    expect(validateChannel(withChain([pem("leaf")]), { now: new Date("2099-11-30T00:00:00Z") }).warnings).toEqual([]);
  });

  it("refuses a chain whose next certificate is not the issuer", () => {
    expect(issues(validateChannel(withChain([pem("leaf"), pem("unrelated-ca")])))[0]).toEqual({
      path: "settings.tlsCertificateChain[0]",
      message: expect.stringContaining("is not issued by the next certificate"),
    });
  });

  it("refuses an issuer with the right name whose key did not sign the certificate", () => {
    expect(issues(validateChannel(withChain([pem("leaf"), pem("intermediate-impostor")])))[0]?.message).toContain(
      "signature does not verify",
    );
  });

  it("reports the position of the faulty certificate in a longer chain", () => {
    const result = validateChannel(withChain([pem("leaf"), pem("intermediate-ca"), pem("unrelated-ca")]));
    expect(issues(result).map((i) => i.path)).toEqual(["settings.tlsCertificateChain[1]"]);
  });

  it("refuses a leaf that does not cover the endpoint host", () => {
    expect(issues(validateChannel(withChain([pem("leaf")], "https://api.other.example.net/x")))).toEqual([
      {
        path: "settings.tlsCertificateChain[0]",
        message: expect.stringContaining(
          'does not cover the endpointUrl host "api.other.example.net" (it covers DNS:wss.example.com, DNS:chat.example.com)',
        ),
      },
    ]);
  });

  it("reports a PEM-lines certificate at the line where it begins", () => {
    const leaf = pemLines(pem("leaf"));
    const unrelated = pemLines(pem("unrelated-ca"));
    const result = validateChannel(withChain([...leaf, ...unrelated, ...pemLines(pem("leaf-expired"))]));
    expect(issues(result)).toEqual([
      { path: "settings.tlsCertificateChain[0]", message: expect.stringContaining("is not issued by the next certificate") },
      { path: `settings.tlsCertificateChain[${leaf.length}]`, message: expect.stringContaining("is not issued by the next certificate") },
      { path: `settings.tlsCertificateChain[${leaf.length + unrelated.length}]`, message: expect.stringContaining("expired") },
    ]);
  });

  it("refuses a private key in the chain and says to rotate it", () => {
    const key = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----";
    expect(issues(validateChannel(withChain([pem("leaf"), key])))[0]?.message).toContain("rotate the key");
  });

  it("skips the host check, but still checks the certificates, when endpointUrl itself is invalid", () => {
    const result = validateChannel(withChain([pem("leaf-expired")], "http://elsewhere.example.org"));
    expect(issues(result).map((i) => i.path)).toEqual(["endpointUrl", "settings.tlsCertificateChain[0]"]);
    expect(issues(result)[1]?.message).toContain("expired");
  });
});
