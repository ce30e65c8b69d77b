/**
 * The Go export (program.go on the generated Go SDK, the provider plugin in this checkout's bin/)
 * adopted by following its README with the real CLI: see adoption.ts. The Go language host is not
 * installed here, so the README's `pulumi up`, `preview`, `refresh` and `destroy` run through a
 * test-owned main (go-harness/main.go.txt) that runs the exported `program` as an Automation API
 * inline program in the exported folder's workspace; `stack init` and `config set` are the CLI's.
 * The exported folder itself (main.go with `pulumi.Run(program)`) must pass `go vet`, and gofmt
 * must leave it as it is (also after the test's edit, which keeps gofmt's layout).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "vitest";
import { runCommand } from "../support/plugin-org";
import { describeAdoption } from "./adoption";

const STACK = "adopted";

/** The harness beside the exported folder: its program.go, go.mod and go.sum, and the test's main. */
async function buildHarness(dir: string): Promise<void> {
  const vet = await runCommand("go", ["vet", "./..."], { cwd: dir, timeoutMs: 900_000 });
  expect(vet.code, `go vet in the exported folder:\n${vet.stderr}`).toBe(0);
  const gofmt = await runCommand("gofmt", ["-d", "."], { cwd: dir });
  expect(gofmt.stdout + gofmt.stderr, "gofmt would change the exported program").toBe("");
  const harness = `${dir}-harness`;
  fs.mkdirSync(harness, { recursive: true });
  for (const file of ["program.go", "go.mod", "go.sum"]) fs.copyFileSync(path.join(dir, file), path.join(harness, file));
  fs.copyFileSync(path.join(__dirname, "go-harness", "main.go.txt"), path.join(harness, "main.go"));
  const build = await runCommand("go", ["build", "-o", "harness", "."], { cwd: harness, timeoutMs: 900_000 });
  expect(build.code, `go build of the harness:\n${build.stderr}`).toBe(0);
}

describeAdoption({
  language: "go",
  program: "program.go",
  addDomain: (source) =>
    source.replace(
      /^(\t+)pulumi\.String\("shop\.example\.com"\),$/m,
      '$1pulumi.String("shop.example.com"),\n$1pulumi.String("checkout.example.com"),',
    ),
  prepare: buildHarness,
  runProgram: (args, dir, env) => {
    // The harness always previews with --expect-no-changes and never asks for confirmation.
    if (args[0] === "preview") expect(args).toContain("--expect-no-changes");
    return runCommand(path.join(`${dir}-harness`, "harness"), [dir, STACK, args[0]!], { cwd: dir, env, timeoutMs: 240_000 });
  },
});
