/**
 * Preloaded (`node --require`) into the dynamic provider process by the
 * `pulumi-resource-pulumi-nodejs` shim that scripts/pulumi-toolchain.sh writes.
 *
 * The engine runs inside the `pulumi` CLI and starts each plugin in a process group of its own.
 * When the CLI is killed (kill -9, an OOM kill, a cancelled CI job) nobody stops the plugins, and
 * @pulumi/pulumi's provider server never looks at its engine again: it would wait forever. This
 * watcher ends the process once the engine is gone, as upstream's Go plugins do, and otherwise
 * does nothing: it never touches an operation while the engine answers.
 *
 * Gone means either of:
 *  - the parent process (the CLI, since the shim execs node) has exited: our parent pid changed;
 *  - the engine's gRPC health service refused the connection three checks in a row. Only
 *    UNAVAILABLE counts: a late answer from a busy engine, or one stopped with Ctrl-Z, does not.
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const PARENT_EVERY_MS = 500;
const ENGINE_EVERY_MS = 1_000;
const CHECK_TIMEOUT_MS = 5_000;
const MISSES = 3;

/** The engine address as @pulumi/pulumi's provider reads it: the first argument that is not a flag. */
function engineAddress(args) {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--tracing") i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return undefined;
}

function exitBecause(reason) {
  try {
    // Synchronous and guarded: stderr is usually a pipe to the CLI that just died.
    fs.writeSync(2, `pulumi-resource-pulumi-nodejs: ${reason}; exiting\n`);
  } catch {
    // nobody is listening any more
  }
  process.exit(1);
}

function watchParent() {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) exitBecause(`the process that started it (pid ${parent}) has exited`);
  }, PARENT_EVERY_MS).unref();
}

function watchHealth(address, script) {
  let grpc;
  try {
    // The provider's own gRPC library, from the @pulumi/pulumi that the shim resolved.
    grpc = require(require.resolve("@grpc/grpc-js", { paths: [path.dirname(script)] }));
  } catch {
    return; // the parent watch still applies
  }
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  let misses = 0;
  const check = () => {
    client.makeUnaryRequest(
      "/grpc.health.v1.Health/Check",
      () => Buffer.alloc(0), // an empty HealthCheckRequest: the server's overall status
      (bytes) => bytes,
      new grpc.Metadata(),
      { deadline: Date.now() + CHECK_TIMEOUT_MS },
      (err) => {
        if (err && err.code === grpc.status.UNAVAILABLE) {
          misses++;
          if (misses >= MISSES) exitBecause(`the engine at ${address} stopped answering (${err.details || err.message})`);
        } else {
          misses = 0;
        }
        setTimeout(check, ENGINE_EVERY_MS).unref();
      },
    );
  };
  setTimeout(check, ENGINE_EVERY_MS).unref();
}

const script = process.argv[1];
const address = engineAddress(process.argv.slice(2));
if (script && address) {
  watchParent();
  watchHealth(address, script);
}
