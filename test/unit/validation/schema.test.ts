import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateChannel } from "../../../provider/resources/channel/schema";
import { formatIssues } from "../../../provider/validation";
import { minimal, sourceDesignExample } from "./fixtures";

type ValidationResult = ReturnType<typeof validateChannel>;

function issuesOf(result: ValidationResult) {
  if (result.ok) throw new Error("expected the definition to be rejected");
  return result.issues;
}

function messageAt(result: ValidationResult, path: string): string {
  const found = issuesOf(result).filter((i) => i.path === path);
  expect(found, `no issue at ${path}: ${JSON.stringify(issuesOf(result))}`).toHaveLength(1);
  return found[0]!.message;
}

describe("validateChannel: valid definitions", () => {
  it("accepts the source design's example once it carries a real certificate chain", () => {
    const result = validateChannel(sourceDesignExample());
    expect(result).toMatchObject({ ok: true, warnings: [] });
  });

  it("fills in defaults for description, healthCheckInterval and tlsCertificateChain", () => {
    const result = validateChannel(minimal());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.description).toBe("");
    expect(result.value.settings.healthCheckInterval).toBe(300);
    expect(result.value.settings.tlsCertificateChain).toEqual([]);
    expect(result.value).not.toHaveProperty("signature");
  });

  it("accepts every bound exactly at its limit", () => {
    const low = minimal((d) => {
      d.name = "n";
      d.settings = { maxConcurrentSessions: 1, rateLimitThreshold: 1, healthCheckInterval: 30 };
    });
    const high = minimal((d) => {
      d.name = "n".repeat(128);
      d.description = "d".repeat(512);
      d.settings = { maxConcurrentSessions: 10000, rateLimitThreshold: 5000, healthCheckInterval: 3600 };
    });
    expect(validateChannel(low).ok).toBe(true);
    expect(validateChannel(high).ok).toBe(true);
  });

  it("accepts plain-http origins for localhost and 127.0.0.1 only", () => {
    const ok = minimal((d) => (d.allowedOrigins = ["http://localhost:3000", "http://127.0.0.1:8080", "https://app.example.com/"]));
    expect(validateChannel(ok).ok).toBe(true);
    const refused = validateChannel(minimal((d) => (d.allowedOrigins = ["http://127.0.0.2"])));
    expect(messageAt(refused, "allowedOrigins[0]")).toContain("must use https");
  });

  it("keeps the given origins and channel types in the value, leaving normalisation to normalizeChannel", () => {
    const result = validateChannel(minimal((d) => (d.allowedOrigins = ["HTTPS://App.Example.com:443/"])));
    expect(result.ok && result.value.allowedOrigins).toEqual(["HTTPS://App.Example.com:443/"]);
  });

  it("ignores a present signature when no signing key is configured", () => {
    expect(validateChannel(minimal((d) => (d.signature = "not-even-hex"))).ok).toBe(true);
  });
});

describe("validateChannel: schema failures", () => {
  it("reports every failure in one pass rather than stopping at the first", () => {
    const result = validateChannel(
      minimal((d) => {
        d.name = "";
        d.endpointUrl = "http://chat.example.com";
        d.allowedOrigins = ["*", "https://app.example.com/path"];
        d.channelTypes = ["sms"];
        d.settings = { maxConcurrentSessions: 20000, rateLimitThreshold: 2.5, healthCheckInterval: 5, bogus: 1 };
      }),
    );
    expect(issuesOf(result).map((i) => i.path)).toEqual([
      "name",
      "endpointUrl",
      "allowedOrigins[0]",
      "allowedOrigins[1]",
      "channelTypes[0]",
      "settings.maxConcurrentSessions",
      "settings.rateLimitThreshold",
      "settings.healthCheckInterval",
      "settings.bogus",
    ]);
  });

  it("says what the limit is, what was given and how to fix it", () => {
    const result = validateChannel(minimal((d) => (d.settings.maxConcurrentSessions = 20000)));
    expect(messageAt(result, "settings.maxConcurrentSessions")).toBe("must be at most 10000 (got 20000); lower it to 10000 or less");
    expect(formatIssues(issuesOf(result))).toBe(
      "  - settings.maxConcurrentSessions: must be at most 10000 (got 20000); lower it to 10000 or less",
    );
  });

  it.each([
    ["name", (d: any) => (d.name = "n".repeat(129)), "at most 128 characters (got 129)"],
    ["description", (d: any) => (d.description = "d".repeat(513)), "at most 512 characters (got 513)"],
    ["settings.maxConcurrentSessions", (d: any) => (d.settings.maxConcurrentSessions = 0), "at least 1 (got 0)"],
    ["settings.rateLimitThreshold", (d: any) => (d.settings.rateLimitThreshold = 5001), "at most 5000 (got 5001)"],
    ["settings.healthCheckInterval", (d: any) => (d.settings.healthCheckInterval = 29), "at least 30 (got 29)"],
    ["settings.healthCheckInterval", (d: any) => (d.settings.healthCheckInterval = 3601), "at most 3600 (got 3601)"],
  ])("refuses %s one step past its bound", (path, patch, fragment) => {
    expect(messageAt(validateChannel(minimal(patch)), path)).toContain(fragment);
  });

  it("refuses fractional numbers where the API takes integers", () => {
    expect(messageAt(validateChannel(minimal((d) => (d.settings.rateLimitThreshold = 2.5))), "settings.rateLimitThreshold")).toContain(
      "must be a whole number (got 2.5)",
    );
  });

  it("reports a huge integer against the field's bound, not JavaScript's safe-integer range", () => {
    expect(
      messageAt(validateChannel(minimal((d) => (d.settings.maxConcurrentSessions = 1e30))), "settings.maxConcurrentSessions"),
    ).toContain("at most 10000");
  });

  it("names a missing field and what to put there", () => {
    const message = messageAt(validateChannel(minimal((d) => delete d.endpointUrl)), "endpointUrl");
    expect(message).toMatch(/^is required; add an https:\/\/ or wss:\/\/ URL/);
  });

  it("suggests the known key a typo was meant to be", () => {
    const result = validateChannel(minimal((d) => (d.settings.maxConcurentSessions = 5)));
    expect(messageAt(result, "settings.maxConcurentSessions")).toContain('did you mean "maxConcurrentSessions"?');
    expect(messageAt(validateChannel(minimal((d) => (d.nmae = "x"))), "nmae")).toContain('did you mean "name"?');
  });

  it("lists the known fields when an unknown key looks like no typo", () => {
    expect(messageAt(validateChannel(minimal((d) => (d.colour = "blue"))), "colour")).toContain(
      "known fields: name, description, endpointUrl",
    );
  });

  it.each(["id", "status", "version", "dateCreated", "dateModified", "selfUri", "settings.healthStatus", "settings.lastHealthCheck"])(
    "refuses the server-owned field %s as input and says the server sets it",
    (path) => {
      const def = minimal((d) => {
        const [head, tail] = path.split(".");
        if (tail) d[head!][tail] = "x";
        else d[head!] = "x";
      });
      expect(messageAt(validateChannel(def), path)).toContain("is set by the server");
    },
  );

  it("quotes an unknown key that is not an identifier so the path stays unambiguous", () => {
    expect(issuesOf(validateChannel(minimal((d) => (d["max sessions"] = 1))))[0]!.path).toBe('["max sessions"]');
  });

  it.each([null, [], "a string", 42])("refuses %j as a definition at the root path", (input) => {
    expect(messageAt(validateChannel(input), "")).toContain("must be a JSON object");
  });

  it("never shows zod's own wording in any corpus message", () => {
    const dir = join(__dirname, "../../fixtures/invalid-channels");
    const zodWording = /Invalid input|Too (big|small)|expected \w+, received|Unrecognized key|Invalid option/;
    let checked = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
      const c = JSON.parse(readFileSync(join(dir, file), "utf8"));
      const result = validateChannel(c.definition, c.options);
      for (const i of issuesOf(result)) {
        expect(i.message, file).not.toMatch(zodWording);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});
