import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { validateChannel } from "../../../provider/resources/channel/schema";
import { signDefinition, verifySignature } from "../../../provider/validation";
import { TEST_SIGNING_KEY, minimal, sourceDesignExample } from "./fixtures";

const KEY = TEST_SIGNING_KEY;
const signed = (def: Record<string, unknown>): Record<string, any> => ({ ...def, signature: signDefinition(def, KEY) });

describe("signDefinition", () => {
  it("signs the RFC 8785 canonical JSON, not JSON.stringify's insertion order", () => {
    const canonical = '{"a":1,"b":[true,"x",{"c":null,"d":0.5}]}';
    const expected = createHmac("sha256", KEY).update(canonical).digest("hex");
    expect(signDefinition({ b: [true, "x", { d: 0.5, c: null }], a: 1 }, KEY)).toBe(expected);
  });

  it("gives the same signature whatever the key order and whitespace of the file", () => {
    const def = sourceDesignExample();
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(def).reverse()), null, 7));
    expect(signDefinition(reordered, KEY)).toBe(signDefinition(def, KEY));
  });

  it("leaves the signature property itself out of what it signs", () => {
    const def = minimal();
    expect(signDefinition({ ...def, signature: "f".repeat(64) }, KEY)).toBe(signDefinition(def, KEY));
  });

  it("depends on the key", () => {
    expect(signDefinition(minimal(), KEY)).not.toBe(signDefinition(minimal(), `${KEY}x`));
  });
});

describe("verifySignature", () => {
  it("accepts a definition signed with the same key, in upper or lower case hex", () => {
    const def = signed(minimal());
    expect(verifySignature(def, KEY)).toEqual([]);
    expect(verifySignature({ ...def, signature: (def.signature as string).toUpperCase() }, KEY)).toEqual([]);
  });

  it("detects a value changed after signing", () => {
    const def = signed(minimal());
    (def.settings as Record<string, number>).maxConcurrentSessions = 9999;
    expect(verifySignature(def, KEY)).toEqual([{ path: "signature", message: expect.stringContaining("signature mismatch") }]);
  });

  it("detects a signature made with another key", () => {
    const def = { ...minimal(), signature: signDefinition(minimal(), "another-key") };
    expect(verifySignature(def, KEY)[0]?.message).toContain("signature mismatch");
  });

  it.each([
    ["too short", "abc123"],
    ["too long", "a".repeat(65)],
    ["not hex", "z".repeat(64)],
    ["empty", ""],
    ["a number", 42],
    ["null", null],
  ])("reports a %s signature as a mismatch without throwing", (_label, signature) => {
    expect(() => verifySignature({ ...minimal(), signature }, KEY)).not.toThrow();
    expect(verifySignature({ ...minimal(), signature }, KEY)).toEqual([
      { path: "signature", message: expect.stringContaining("signature mismatch") },
    ]);
  });

  it("tells how to sign when the signature is missing", () => {
    expect(verifySignature(minimal(), KEY)).toEqual([
      { path: "signature", message: expect.stringContaining("CHANNEL_SIGNING_KEY=... npm run sign -- def.json") },
    ]);
  });
});

describe("validateChannel with a signing key", () => {
  it("accepts a signed definition even after its keys are reordered", () => {
    const def = signed(sourceDesignExample());
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(def).reverse())));
    expect(validateChannel(reordered, { signingKey: KEY }).ok).toBe(true);
  });

  it("refuses an unsigned definition", () => {
    const result = validateChannel(minimal(), { signingKey: KEY });
    expect(result.ok ? [] : result.issues.map((i) => i.path)).toEqual(["signature"]);
  });

  it("refuses a tampered definition with 'signature mismatch'", () => {
    const def = signed(minimal());
    def.allowedOrigins = ["https://attacker.example"];
    const result = validateChannel(def, { signingKey: KEY });
    expect(result.ok ? [] : result.issues).toEqual([{ path: "signature", message: expect.stringContaining("signature mismatch") }]);
  });
});
