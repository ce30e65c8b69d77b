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

const root = path.join(__dirname, "..", "..");

/** README.md and every page under docs/, relative to the repository root. */
function markdownPages(): string[] {
  const pages = ["README.md"];
  const walk = (dirRel: string) => {
    for (const e of fs.readdirSync(path.join(root, dirRel), { withFileTypes: true })) {
      const rel = path.join(dirRel, e.name);
      if (e.isDirectory()) walk(rel);
      else if (e.name.endsWith(".md")) pages.push(rel);
    }
  };
  walk("docs");
  return pages;
}

/** GitHub's anchor for each heading of a Markdown text (code blocks skipped, repeats numbered). */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of withoutCode(markdown).matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

function withoutCode(markdown: string): string {
  return markdown.replace(/^\s*```[\s\S]*?^\s*```/gm, "");
}

describe("the README and docs/ link to what exists", () => {
  const pages = markdownPages();

  it("finds the README and the pages the README's reference moved to", () => {
    expect(pages).toEqual(
      expect.arrayContaining(["README.md", path.join("docs", "troubleshooting.md"), path.join("docs", "resources", "README.md")]),
    );
  });

  it.each(pages)("every relative link of %s names a file that exists, and a heading of it when it has an anchor", (page) => {
    const text = withoutCode(fs.readFileSync(path.join(root, page), "utf8"));
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [file, anchor] = target!.split("#") as [string, string | undefined];
      const resolved = file === "" ? path.join(root, page) : path.join(root, path.dirname(page), file);
      if (!fs.existsSync(resolved)) broken.push(`${target}: no such file`);
      else if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(fs.readFileSync(resolved, "utf8")).has(anchor))
        broken.push(`${target}: no such heading`);
    }
    expect(broken).toEqual([]);
  });

  it("a message or comment in the code that sends the reader to a README section or a docs page names one that exists", () => {
    const readmeAnchors = anchorsOf(fs.readFileSync(path.join(root, "README.md"), "utf8"));
    const cited: string[] = [];
    const broken: string[] = [];
    const walk = (dirRel: string) => {
      for (const e of fs.readdirSync(path.join(root, dirRel), { withFileTypes: true })) {
        const rel = path.join(dirRel, e.name);
        if (e.isDirectory()) walk(rel);
        else if (/\.(ts|cjs|mts)$/.test(e.name)) {
          const text = fs.readFileSync(path.join(root, rel), "utf8");
          for (const [, section] of text.matchAll(/README "([^"]+)"/g)) {
            cited.push(section!);
            if (!readmeAnchors.has(anchorsOf(`# ${section}`).values().next().value!)) broken.push(`${rel}: README "${section}"`);
          }
          for (const [doc] of text.matchAll(/\bdocs\/[\w./-]+\.md\b/g)) {
            cited.push(doc);
            if (!fs.existsSync(path.join(root, doc))) broken.push(`${rel}: ${doc}`);
          }
        }
      }
    };
    for (const dir of ["provider", "cli", "emulator", "lb-receiver", "scripts", "stacks"]) walk(dir);
    expect(cited.length).toBeGreaterThan(0);
    expect(broken).toEqual([]);
  });
});
