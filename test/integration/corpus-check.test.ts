/**
 * The invalid-definition corpus through the provider's check, against the emulator: each case is
 * refused with the expected property path and reason, and not one API call is made.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { checkChannel } from "../../provider/resources/channel/lifecycle";
import { EmulatorAdmin } from "../support/admin";
import { testContext } from "../support/provider-context";

interface CorpusCase {
  name: string;
  definition: unknown;
  expect: { path: string; message: string }[];
  options?: { signingKey?: string };
}

const dir = path.join(__dirname, "..", "fixtures", "invalid-channels");
const cases = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ file: f, ...(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as CorpusCase) }))
  // check receives an object of inputs from the engine; non-object definitions cannot reach it.
  .filter((c) => typeof c.definition === "object" && c.definition !== null && !Array.isArray(c.definition));

let emulator: RunningEmulator;
let admin: EmulatorAdmin;
const creds = { clientId: "corpus-client", clientSecret: "corpus-secret" };

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, data: ":memory:", clients: [creds], adminToken: "corpus-admin", quiet: true });
  admin = new EmulatorAdmin(emulator.url, "corpus-admin");
});
afterAll(async () => emulator?.close());

describe("invalid-definition corpus through the provider's check", () => {
  it("has at least 50 object-shaped cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases.map((c) => [c.file, c] as const))("corpus case %s is refused at check with no API call", async (_file, c) => {
    const ctx = testContext(emulator.url, creds, { signatureKey: c.options?.signingKey });
    const { failures } = await checkChannel(ctx, { ...(c.definition as Record<string, unknown>), __provider: "serialized" });
    expect(c.expect.length, `${c.name}: the case names the issues it expects`).toBeGreaterThan(0);
    for (const want of c.expect) {
      expect(
        failures.some((f) => f.property === want.path && f.reason.includes(want.message)),
        `${c.name}: expected ${want.path} ~ "${want.message}" in ${JSON.stringify(failures)}`,
      ).toBe(true);
    }
    expect(await admin.requests()).toEqual([]);
  });
});
