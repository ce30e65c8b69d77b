// The Pulumi program's entry (Pulumi.yaml `main`), plain JavaScript so that it runs before any build.
// It brings the build up to date first, so `pulumi preview`/`up` run by hand always run the stack
// code as it is on disk: `tsc -b` compiles only when a source is newer than the build (a second or
// so otherwise). The program itself is the build (dist/stacks/index.js), not the TypeScript
// sources: the dynamic providers must load through node_modules/genesys-webmessaging-pulumi (see
// scripts/self-link.ts) so that the state stores a `require(...)`, not their code.
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const tsc = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc", { paths: [root] }), "-b", root], {
  cwd: root,
  encoding: "utf8",
});
if (tsc.status !== 0) {
  const pulumi = require("@pulumi/pulumi");
  // A RunError is printed as its message alone: the compiler's report, no stack trace of ours.
  throw new pulumi.RunError(
    `the stack code does not compile (tsc -b exit ${tsc.status ?? tsc.signal}); fix it and run the command again:\n${tsc.stdout}${tsc.stderr}`,
  );
}
require(path.join(root, "dist", "scripts", "self-link.js")).writeSelfLink(root);
module.exports = require(path.join(root, "dist", "stacks", "index.js"));
