import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDefinition } from "../../../provider/validation";
import { main } from "../../../cli/sign";
import { TEST_SIGNING_KEY, minimal } from "../validation/fixtures";

const KEY = "s3cr3t-signing-key-never-printed";
const repo = resolve(__dirname, "../../..");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sign-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function run(argv: string[], env: Record<string, string | undefined> = { CHANNEL_SIGNING_KEY: KEY }) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, env, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), readFile: (p) => readFile(p, "utf8") });
  return { code, stdout, stderr };
}

describe("sign CLI (in-process)", () => {
  it("prints the definition's signature and nothing else on stdout", async () => {
    const def = minimal();
    const out = await run([write("def.json", JSON.stringify(def, null, 2))]);
    expect(out).toEqual({ code: 0, stdout: `${signDefinition(def, KEY)}\n`, stderr: "" });
  });

  it("signs so that validateChannel with the same key accepts the result", async () => {
    const def = minimal();
    const { stdout } = await run([write("def2.json", JSON.stringify(def))], { CHANNEL_SIGNING_KEY: TEST_SIGNING_KEY });
    const { validateChannel } = await import("../../../provider/resources/channel/schema");
    expect(validateChannel({ ...def, signature: stdout.trim() }, { signingKey: TEST_SIGNING_KEY }).ok).toBe(true);
  });

  it.each([undefined, ""])("exits 2 with a clear message when CHANNEL_SIGNING_KEY is %j", async (key) => {
    const out = await run([write("def3.json", JSON.stringify(minimal()))], { CHANNEL_SIGNING_KEY: key });
    expect(out.code).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr).toContain("CHANNEL_SIGNING_KEY is not set");
  });

  it("exits 1 naming the file when it cannot be read", async () => {
    const out = await run([join(dir, "missing.json")]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`cannot read ${join(dir, "missing.json")}: ENOENT`);
  });

  it("exits 1 when the file is not JSON", async () => {
    const out = await run([write("bad.json", "{ name: oops")]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/bad\.json is not valid JSON: /);
  });

  it("exits 1 when the JSON is not one definition object", async () => {
    expect((await run([write("list.json", "[]")])).code).toBe(1);
  });

  it("exits 2 with usage naming an unknown flag, instead of reading it as a file name", async () => {
    const out = await run(["--verbose"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("--verbose");
    expect(out.stderr).toContain("usage:");
    expect(out.stdout).toBe("");
  });

  it("exits 2 with usage when not given exactly one file", async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(["a.json", "b.json"])).stderr).toContain("usage:");
  });

  it("still signs an invalid definition but warns about it on stderr", async () => {
    const out = await run([write("invalid.json", JSON.stringify({ ...minimal(), colour: "red" }))]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect(out.stderr).toContain("colour: is not a known field");
  });

  it("never prints the key, whatever happens", async () => {
    const outputs = await Promise.all([
      run([write("ok.json", JSON.stringify(minimal()))]),
      run([write("bad2.json", "nope")]),
      run([write("inv.json", JSON.stringify({ signature: KEY }))]),
    ]);
    for (const o of outputs) expect(o.stdout + o.stderr).not.toContain(KEY);
  });
});

describe("sign CLI (compiled, as a child process)", () => {
  it("prints the same signature from node dist/.../cli/sign.js", async () => {
    // A private outDir under dist/ so node_modules still resolve and a concurrent build is not clobbered.
    mkdirSync(join(repo, "dist"), { recursive: true });
    const outDir = mkdtempSync(join(repo, "dist", "sign-cli-test-"));
    try {
      let diagnostics = "";
      try {
        execFileSync("npx", ["tsc", "-p", ".", "--outDir", outDir, "--tsBuildInfoFile", join(outDir, ".tsbuildinfo")], {
          cwd: repo,
          encoding: "utf8",
          stdio: "pipe",
        });
      } catch (error) {
        // Type errors elsewhere in the tree still emit; only this CLI's own code must compile cleanly.
        diagnostics = String((error as { stdout?: string }).stdout ?? error);
      }
      expect(diagnostics.split("\n").filter((l) => /^(cli\/sign|provider\/validation\/|provider\/resources\/channel\/)/.test(l))).toEqual(
        [],
      );
      // The build's record of what it emitted belongs beside this compile's output: written to
      // dist/.tsbuildinfo, it would tell the next `npm run build` that dist/ is current while dist/
      // still holds the old code. (Comparing dist/.tsbuildinfo before and after races any build
      // running beside this test.)
      expect(existsSync(join(outDir, ".tsbuildinfo")), "the compile's build info in its own outDir").toBe(true);
      const def = minimal();
      const file = write("child.json", JSON.stringify(def));
      const { stdout, stderr } = await promisify(execFile)("node", [join(outDir, "cli", "sign.js"), file], {
        env: { ...process.env, CHANNEL_SIGNING_KEY: KEY },
      });
      expect(stderr).toBe("");
      expect(stdout).toBe(`${signDefinition(def, KEY)}\n`);

      const missingKey = await promisify(execFile)("node", [join(outDir, "cli", "sign.js"), file], {
        env: { ...process.env, CHANNEL_SIGNING_KEY: "" },
      }).catch((e: { code: number; stderr: string }) => e);
      expect(missingKey).toMatchObject({ code: 2, stderr: expect.stringContaining("CHANNEL_SIGNING_KEY is not set") });
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 180_000);
});
