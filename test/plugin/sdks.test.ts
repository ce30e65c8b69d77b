/**
 * The committed SDKs (sdk/) are what scripts/gen-sdks.sh writes from the plugin's schema today, so
 * a change to a resource's zod schema that was not followed by `npm run sdks` fails here. Python's
 * SDK cannot be installed on these machines (no PyPI): its files are at least compiled.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../scripts/pulumi-env";
import { runCommand } from "../support/plugin-org";

/** Every file under dir (relative paths, sorted) with its content, without what git ignores there. */
function tree(dir: string): Map<string, string> {
  const ignored = /(^|\/)(__pycache__|node_modules|bin)(\/|$)|\.pyc$/;
  const files = fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => !ignored.test(f) && fs.statSync(path.join(dir, f)).isFile())
    .sort();
  return new Map(files.map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));
}

describe("the generated SDKs", () => {
  const committed = path.join(repoRoot(), "sdk");
  let tmp: string;
  let fresh: string;

  // Builds the generator with Go (seconds from a warm build cache) and starts the plugin once.
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-sdks-"));
    fresh = path.join(tmp, "sdk");
    const gen = await runCommand("bash", [path.join(repoRoot(), "scripts", "gen-sdks.sh"), fresh], { cwd: repoRoot(), timeoutMs: 600_000 });
    expect(gen.code, gen.stdout + gen.stderr).toBe(0);
  }, 600_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("are what the generator writes from the plugin's schema today (else run npm run sdks)", () => {
    const want = tree(fresh);
    const have = tree(committed);
    expect([...want.keys()]).toContain("schema.json");
    expect([...want.keys()]).toContain("go/genesys/webDeployment.go");
    expect([...have.keys()]).toEqual([...want.keys()]);
    const stale = [...want].filter(([file, text]) => have.get(file) !== text).map(([file]) => file);
    expect(stale).toEqual([]);
  });

  it("Python's files all compile", async () => {
    const files = [...tree(committed).keys()].filter((f) => f.endsWith(".py")).map((f) => path.join(committed, f));
    expect(files).toContain(path.join(committed, "python", "pulumi_genesys_webmessaging", "web_deployment.py"));
    // The byte code goes to the temp folder, not beside the committed sources.
    const compiled = await runCommand("python3", ["-m", "py_compile", ...files], {
      cwd: tmp,
      env: { ...process.env, PYTHONPYCACHEPREFIX: path.join(tmp, "pycache") },
    });
    expect(compiled.code, compiled.stderr).toBe(0);
  });
});
