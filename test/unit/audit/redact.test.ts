import { spawn } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { AuditTrail, redact } from "../../../provider/audit";
import { makeStringScrubber, scrubError } from "../../../provider/audit/redact";
import { canonicalJson, sha256Hex } from "../../../provider/audit/hash";
import { event, tempDir } from "./helpers";

/** Runs redact() in a child process that is killed if it has not answered within `watchdogMs`. */
function redactInChild(length: number, watchdogMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, "fixtures", "redact-child.cjs"), String(length)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const watchdog = setTimeout(() => child.kill("SIGKILL"), watchdogMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(watchdog);
      if (signal === "SIGKILL")
        reject(new Error(`redact() did not finish a ${length}-character word within ${watchdogMs / 1000} s: a pattern backtracks`));
      else if (code !== 0) reject(new Error(`redact child exited ${code}: ${err}`));
      else resolve(JSON.parse(out));
    });
  });
}

describe("redact", () => {
  it("replaces values of secret-named keys at any depth, whatever their type", () => {
    const input = {
      name: "support-chat",
      settings: { auth: { clientSecret: "s3cr3t", nested: [{ access_token: "tok", keep: 1 }] } },
      headers: { Authorization: "Bearer abc", "x-api-key": "k", "Content-Type": "application/json" },
      signingKey: { kid: "a", value: "b" },
      credentials: ["x", "y"],
      password: 1234,
    };
    expect(redact(input)).toEqual({
      name: "support-chat",
      settings: { auth: { clientSecret: "[REDACTED]", nested: [{ access_token: "[REDACTED]", keep: 1 }] } },
      headers: { Authorization: "[REDACTED]", "x-api-key": "[REDACTED]", "Content-Type": "application/json" },
      signingKey: "[REDACTED]",
      credentials: "[REDACTED]",
      password: "[REDACTED]",
    });
  });

  it("scrubs literal secrets wherever they appear, including inside longer strings and keys", () => {
    const out = redact({ note: "client failed with hunter2-xyz in the body", hunter2: "v", list: ["hunter2"] }, ["hunter2"]);
    expect(JSON.stringify(out)).not.toContain("hunter2");
    expect(out).toEqual({ note: "client failed with [REDACTED]-xyz in the body", "[REDACTED]": "v", list: ["[REDACTED]"] });
  });

  it("scrubs URL-encoded forms of a literal secret", () => {
    const out = redact("POST /oauth/token?client_id=abc&x=p%40ss%2Fword", ["p@ss/word"]) as string;
    expect(out).not.toContain("p%40ss%2Fword");
  });

  it("scrubs bearer tokens, Basic credentials and JWTs from free text", () => {
    const basic = Buffer.from("my-client:my-secret").toString("base64");
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.c2lnbmF0dXJlLXZhbHVl";
    const text = `401 from GET /api/v2/webchat/brands: Authorization: Bearer abc.def-ghi_123; retry with Basic ${basic}; token ${jwt}`;
    const out = redact(text) as string;
    expect(out).toBe(
      "401 from GET /api/v2/webchat/brands: Authorization: Bearer [REDACTED]; retry with Basic [REDACTED]; token [REDACTED]",
    );
  });

  it("leaves the English word Basic alone when no credential follows", () => {
    expect(redact("Basic validation failed for maxConcurrentSessions")).toBe("Basic validation failed for maxConcurrentSessions");
  });

  it("scrubs secret-named pairs embedded in serialized bodies and query strings", () => {
    const out = redact(`Validation error: {"clientSecret":"abc\\"def","name":"x"} at /oauth?access_token=zzz&y=1`) as string;
    expect(out).toBe(`Validation error: {"clientSecret":"[REDACTED]","name":"x"} at /oauth?access_token=[REDACTED]&y=1`);
  });

  it("redacts after a million-character unbroken word instead of stalling, so a hostile error body cannot block an append", async () => {
    // Linear scanning takes milliseconds here; a backtracking pattern is quadratic and would need
    // hours (20,000 characters already cost seconds), so the generous watchdog only catches a hang.
    const length = 1_000_000;
    const result = await redactInChild(length, 120_000);
    const redactedPair = ' "password": "[REDACTED]"';
    expect(result).toEqual({ length: length + redactedPair.length, tail: `${"a".repeat(30)}${redactedPair}`.slice(-30) });
  }, 150_000);

  it("copes with cycles, errors, dates and values JSON cannot hold", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const err = Object.assign(new Error("failed with Bearer xyz"), { config: { headers: { Authorization: "Bearer xyz" } } });
    expect(redact({ cyclic, err, when: new Date("2025-01-01T00:00:00Z"), n: Number.NaN, f: () => 1, big: 10n })).toEqual({
      cyclic: { a: 1, self: "[Circular]" },
      err: { config: { headers: { Authorization: "[REDACTED]" } }, name: "Error", message: "failed with Bearer [REDACTED]" },
      when: "2025-01-01T00:00:00.000Z",
      n: "NaN",
      big: "10",
    });
  });
});

describe("records written by AuditTrail", () => {
  it("never contain a configured secret, a bearer token or a secret-named value", async () => {
    const dir = tempDir();
    const trail = new AuditTrail({ dir, secrets: ["client-secret-value", "sig-key-value"] });
    const record = await trail.append(
      event({
        outcome: "failure",
        error: "POST /oauth/token failed: client-secret-value rejected; header Authorization: Bearer eyJabc.def.ghi",
        resourceName: "chat-sig-key-value",
        payload: { clientSecret: "client-secret-value", settings: { signatureKey: "sig-key-value" } },
      }),
    );
    const stored = JSON.stringify(record);
    for (const leak of ["client-secret-value", "sig-key-value", "eyJabc"]) expect(stored).not.toContain(leak);
    expect(record.error).toBe("POST /oauth/token failed: [REDACTED] rejected; header Authorization: Bearer [REDACTED]");
    expect(record.resourceName).toBe("chat-[REDACTED]");
  });

  it("bounds a huge error message so one record stays one modest line", async () => {
    const record = await new AuditTrail({ dir: tempDir() }).append(event({ outcome: "failure", error: "x".repeat(100_000) }));
    expect(record.error?.length).toBeLessThan(5_000);
    expect(record.error).toMatch(/\[truncated\]$/);
  });
});

describe("payloadHash", () => {
  it("is the sha256 of the redacted payload's RFC 8785 canonical JSON", async () => {
    const record = await new AuditTrail({ dir: tempDir() }).append(event({ payload: { b: 2, a: [1, "x"], token: "t" } }));
    expect(record.payloadHash).toBe(sha256Hex('{"a":[1,"x"],"b":2,"token":"[REDACTED]"}'));
    expect(canonicalJson({ b: 2, a: [1, "x"], token: "[REDACTED]" })).toBe('{"a":[1,"x"],"b":2,"token":"[REDACTED]"}');
  });

  it("does not depend on key order", async () => {
    const trail = new AuditTrail({ dir: tempDir() });
    const one = await trail.append(event({ payload: { name: "c", settings: { x: 1, y: [1, 2] } } }));
    const two = await trail.append(event({ payload: { settings: { y: [1, 2], x: 1 }, name: "c" } }));
    expect(one.payloadHash).toBe(two.payloadHash);
  });

  it("does not depend on secret values, so a hash cannot be used to guess a secret", async () => {
    const trail = new AuditTrail({ dir: tempDir(), secrets: ["literal-one", "literal-two"] });
    const one = await trail.append(event({ payload: { name: "c", clientSecret: "aaa", note: "literal-one" } }));
    const two = await trail.append(event({ payload: { name: "c", clientSecret: "bbb", note: "literal-two" } }));
    expect(one.payloadHash).toBe(two.payloadHash);
  });

  it("changes when a non-secret field changes", async () => {
    const trail = new AuditTrail({ dir: tempDir() });
    const one = await trail.append(event({ payload: { name: "c", maxConcurrentSessions: 10 } }));
    const two = await trail.append(event({ payload: { name: "c", maxConcurrentSessions: 11 } }));
    expect(one.payloadHash).not.toBe(two.payloadHash);
  });
});

describe("scrubError", () => {
  const scrub = makeStringScrubber(["s3cr3t-value"]);

  it("scrubs the message and stack of an error and of every cause, in place, keeping its class and fields", () => {
    const root = new Error("socket said s3cr3t-value");
    const outer = Object.assign(new TypeError("wrapping s3cr3t-value", { cause: root }), { status: 400 });
    const scrubbed = scrubError(outer, scrub) as TypeError & { status: number };
    expect(scrubbed).toBe(outer);
    expect(scrubbed.message).toBe("wrapping [REDACTED]");
    expect(scrubbed.stack).not.toContain("s3cr3t-value");
    expect(scrubbed.status).toBe(400);
    expect(scrubbed.cause).toBe(root);
    expect(root.message).toBe("socket said [REDACTED]");
    expect(root.stack).not.toContain("s3cr3t-value");
  });

  it("scrubs each error of an AggregateError, and survives a cause cycle", () => {
    const a = new Error("a s3cr3t-value");
    const b = new Error("b s3cr3t-value", { cause: a });
    Object.assign(a, { cause: b });
    const all = new AggregateError([a, b], "both s3cr3t-value");
    scrubError(all, scrub);
    expect([all.message, a.message, b.message]).toEqual(["both [REDACTED]", "a [REDACTED]", "b [REDACTED]"]);
  });

  it("turns a thrown non-Error into an Error with the scrubbed text", () => {
    const scrubbed = scrubError("plain s3cr3t-value", scrub) as Error;
    expect(scrubbed).toBeInstanceOf(Error);
    expect(scrubbed.message).toBe("plain [REDACTED]");
  });
});
