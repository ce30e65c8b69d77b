/**
 * The resource reference pages (docs/resources/*.md) are generated from the package schema, which
 * is derived from the resources' zod schemas. CI runs `npm test`, so this is the check that a
 * committed page and its schema agree.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { RESOURCE_DOCS_DIR, renderResourcePages } from "../../scripts/gen-docs";
import { RESOURCES } from "../../provider/plugin/resources";

const dir = path.join(__dirname, "..", "..", RESOURCE_DOCS_DIR);
const pages = renderResourcePages();

describe("the generated resource reference (docs/resources)", () => {
  it("has one page per resource of the package schema, and an index", () => {
    expect([...pages.keys()].sort()).toEqual([...Object.keys(RESOURCES).map((r) => `${r}.md`), "README.md"].sort());
  });

  it("holds exactly the pages the generator writes, none left over from a removed resource", () => {
    const committed = fs.readdirSync(dir).filter((f) => f.endsWith(".md"));
    expect(committed.sort(), "docs/resources differs from the schema: run npm run docs").toEqual([...pages.keys()].sort());
  });

  it.each([...pages.keys()])("committed %s is what the schema renders (else: run npm run docs)", (file) => {
    const committed = fs.readFileSync(path.join(dir, file), "utf8");
    expect(committed, `docs/resources/${file} differs from its schema: run npm run docs and commit the result`).toBe(pages.get(file));
  });

  it("lists every input of a resource, nested fields by their dotted path, with its type and whether it is required", () => {
    const channel = pages.get("WebMessagingChannel.md")!;
    expect(channel).toContain("| `name` | string | yes |");
    expect(channel).toContain("| `settings.maxConcurrentSessions` | integer | yes |");
    expect(channel).toContain("| `settings.tlsCertificateChain` | list of string | no |");
    expect(channel).toContain("| `brandId` | string |");
    expect(channel).toContain("`pulumi-nodejs:dynamic/genesys:WebMessagingChannel`");
    expect(channel).toContain("`genesys:index:WebMessagingChannel`");
    expect(pages.get("WebDeploymentConfiguration.md")).toContain("| `messenger.fileUpload.modes[].maxFileSizeKB` | integer | no |");
  });

  it("names a field added to a schema, so a page that lacks it fails the check above", () => {
    const schema = RESOURCES.WebMessagingChannel.inputs;
    const original = RESOURCES.WebMessagingChannel.inputs;
    try {
      (RESOURCES.WebMessagingChannel as { inputs: unknown }).inputs = schema.extend({
        newField: schema.shape.name.describe("A field the committed page does not have."),
      });
      const page = renderResourcePages().get("WebMessagingChannel.md")!;
      expect(page).toContain("| `newField` | string | yes | A field the committed page does not have. |");
      expect(page).not.toBe(fs.readFileSync(path.join(dir, "WebMessagingChannel.md"), "utf8"));
    } finally {
      (RESOURCES.WebMessagingChannel as { inputs: unknown }).inputs = original;
    }
  });
});
