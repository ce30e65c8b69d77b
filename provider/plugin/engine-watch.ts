/**
 * Ends the plugin when the engine that started it is gone. The engine runs inside the `pulumi` CLI
 * and starts each plugin in a process group of its own; when the CLI is killed (kill -9, an OOM
 * kill, a cancelled CI job) nobody stops the plugins, and a gRPC server waits forever. The same
 * rules as the dynamic provider's watch (tools/dynamic-provider/engine-watch.cjs): gone means the
 * parent process changed, or the engine's health service refused three checks in a row (only
 * UNAVAILABLE counts: a busy or stopped engine is not gone).
 */
import fs from "node:fs";
import * as grpc from "@grpc/grpc-js";

const PARENT_EVERY_MS = 500;
const ENGINE_EVERY_MS = 1_000;
const CHECK_TIMEOUT_MS = 5_000;
const MISSES = 3;

/** The engine's address: the first argument that is not a flag (`--tracing` takes a value). */
export function engineAddress(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--tracing") i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return undefined;
}

function exitBecause(reason: string): never {
  try {
    // Synchronous and guarded: stderr is usually a pipe to the CLI that just died.
    fs.writeSync(2, `pulumi-resource-genesys: ${reason}; exiting\n`);
  } catch {
    // nobody is listening any more
  }
  process.exit(1);
}

export function watchEngine(address: string): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) exitBecause(`the process that started it (pid ${parent}) has exited`);
  }, PARENT_EVERY_MS).unref();

  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  let misses = 0;
  const check = () => {
    client.makeUnaryRequest(
      "/grpc.health.v1.Health/Check",
      () => Buffer.alloc(0), // an empty HealthCheckRequest: the server's overall status
      (bytes: Buffer) => bytes,
      Buffer.alloc(0),
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
