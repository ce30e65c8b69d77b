import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The emulator's layering, checked on its sources: handlers -> services -> the Store interface, one error
 * factory, persistence only under persistence/, and contract documents that live in this repository.
 */
const root = path.resolve(__dirname, "../..");
const emulatorDir = path.join(root, "emulator");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

const files = sources(emulatorDir);
const text = (file: string): string => readFileSync(path.join(root, file), "utf8");
const matching = (pattern: RegExp): string[] => files.filter((f) => pattern.test(text(f)));

/** The files that register routes: they speak HTTP and hand everything else to a service. */
const HANDLERS = files.filter(
  (f) => /^emulator\/handlers\//.test(f) || /^emulator\/webdeployments\/(configurations|deployments|admin)\.ts$/.test(f),
);

describe("emulator architecture", () => {
  it("reads a non-trivial source tree", () => {
    expect(files.length).toBeGreaterThan(30);
    expect(HANDLERS).toEqual(
      expect.arrayContaining(["emulator/handlers/brands.ts", "emulator/handlers/webhooks.ts", "emulator/webdeployments/deployments.ts"]),
    );
  });

  it("builds every ErrorBody in errors.ts, one named factory per error", () => {
    expect(matching(/new ApiError\(/)).toEqual(["emulator/errors.ts"]);
  });

  it("keeps handlers off the store: they call services", () => {
    // A type (a Page<T> shape) may come from persistence/; code may not. "no-store" is a cache header.
    const code = (f: string): string =>
      text(f)
        .replace(/^import type .*$/gm, "")
        .replace(/"no-store"/g, "");
    expect(HANDLERS.filter((f) => /\bstore\b|persistence\//.test(code(f)))).toEqual([]);
  });

  it("keeps SQLite behind persistence/", () => {
    expect(matching(/from "better-sqlite3"/).filter((f) => !f.startsWith("emulator/persistence/"))).toEqual([]);
  });

  it("imports nothing from provider/", () => {
    expect(matching(/from "(\.\.\/)+provider\//)).toEqual([]);
  });

  it("cites contract documents that are in this repository", () => {
    expect(matching(/shared\/design/)).toEqual([]);
    const cited = [...new Set(files.flatMap((f) => [...text(f).matchAll(/\bdocs\/[\w-]+\.md\b/g)].map((m) => m[0])))].sort();
    // The two contract documents are cited (other docs pages may be too), and every cited page exists.
    expect(cited).toEqual(expect.arrayContaining(["docs/api-contract.md", "docs/webdeployments-contract.md"]));
    expect(cited.filter((doc) => !existsSync(path.join(root, doc)))).toEqual([]);
  });
});
