import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { start, type Harness } from "./helpers";

/**
 * The invalid-channel corpus the client validator must reject, replayed against the emulator: the server is
 * the last line of defence, so whatever it can judge from the body alone it must refuse too.
 */
const dir = path.join(__dirname, "../fixtures/invalid-channels");

interface Case {
  name: string;
  definition: unknown;
  expect: { path: string; message: string }[];
}

// Client-only concerns: the signature covers the stack's text, not the API body, and server-owned
// fields are what a Genesys API accepts and ignores on the way in (a GET-modify-PUT echoes them).
const CLIENT_ONLY = (file: string): boolean => file.startsWith("signature-") || file.startsWith("server-set-");
const SERVER_OWNED = /set by the server/;

const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".json") && !CLIENT_ONLY(f))
  .map((f) => [f, JSON.parse(readFileSync(path.join(dir, f), "utf8")) as Case] as const);

describe("invalid-channel corpus against the emulator", () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await start({ rateLimit: { requests: 10_000, perSeconds: 60 } });
    token = await h.token();
  });
  afterAll(() => h.close());

  it("has cases to replay", () => {
    expect(cases.length).toBeGreaterThan(50);
  });

  it.each(cases)("refuses %s with 400 naming each faulty field", async (_file, c) => {
    const r = await h.api("POST", "/api/v2/webchat/brands", { token, body: c.definition });
    expect(r.status, c.name).toBe(400);
    expect(["bad.request", "invalid.value"]).toContain(r.json.code);
    const fields = (r.json.details as { fieldName?: string }[]).map((d) => d.fieldName);
    for (const e of c.expect.filter((e) => e.path !== "" && !SERVER_OWNED.test(e.message))) {
      expect(fields, `${c.name}: ${e.path}`).toContain(e.path);
    }
  });
});
