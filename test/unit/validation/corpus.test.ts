import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateChannel } from "../../../provider/resources/channel/schema";
import { formatIssues } from "../../../provider/validation";

interface CorpusCase {
  name: string;
  definition: unknown;
  expect: { path: string; message: string }[];
  options?: { signingKey?: string };
}

const corpusDir = join(__dirname, "../../fixtures/invalid-channels");
const files = readdirSync(corpusDir)
  .filter((f) => f.endsWith(".json"))
  .sort();
const cases = files.map((file) => ({ file, ...(JSON.parse(readFileSync(join(corpusDir, file), "utf8")) as CorpusCase) }));

describe("invalid-channel corpus", () => {
  it("holds at least 50 cases, each expecting at least one issue", () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    for (const c of cases) expect(c.expect.length, c.file).toBeGreaterThan(0);
  });

  it.each(cases)("corpus case $file is rejected with the expected issues ($name)", (c) => {
    const result = validateChannel(c.definition, { signingKey: c.options?.signingKey });
    expect(result.ok, `${c.file} was accepted`).toBe(false);
    if (result.ok) return;
    for (const wanted of c.expect) {
      const found = result.issues.some((i) => i.path === wanted.path && i.message.includes(wanted.message));
      expect(found, `${c.file}: no issue at "${wanted.path}" containing "${wanted.message}"; got:\n${formatIssues(result.issues)}`).toBe(
        true,
      );
    }
  });
});
