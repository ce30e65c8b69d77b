/**
 * node dist/lb-receiver/cli.js [--port N] [--secret-env VAR] [--state FILE] [--allow-unsigned] [--bind-retry-seconds N]
 *                              [--lb haproxy --haproxy-socket PATH [--haproxy-backend NAME] [--haproxy-ca-file FILE]]
 * The secret is read from an environment variable so it never shows in a process listing.
 */
import { parseArgs } from "node:util";
import { BalancerSync } from "./balancer-sync";
import { HaproxyDriver } from "./drivers/haproxy";
import { startReceiver } from "./server";

const USAGE =
  "usage: lb-receiver [--port N] [--secret-env VAR] [--state FILE] [--allow-unsigned] [--bind-retry-seconds N]\n" +
  "                   [--lb haproxy --haproxy-socket PATH [--haproxy-backend NAME] [--haproxy-ca-file FILE]]";

function usage(message: string): never {
  console.error(`lb-receiver: ${message}\n${USAGE}`);
  process.exit(2);
}

const OPTIONS = {
  port: { type: "string", default: "8788" },
  "secret-env": { type: "string", default: "LB_WEBHOOK_SECRET" },
  state: { type: "string" },
  "allow-unsigned": { type: "boolean", default: false },
  "bind-retry-seconds": { type: "string", default: "0" },
  lb: { type: "string" },
  "haproxy-socket": { type: "string" },
  "haproxy-backend": { type: "string", default: "channels" },
  "haproxy-ca-file": { type: "string" },
} as const;

/** parseArgs, with its errors said the way this command's usage says them. */
function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    const flag = /'([^' ]+)/.exec(message)?.[1] ?? "";
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") usage(`unknown flag ${flag}`);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      if (/does not take an argument/.test(message)) usage(`${flag} takes no value`);
      if (/ambiguous/.test(message)) usage(`${flag} needs a value (write ${flag}=VALUE for a value that starts with "-")`);
      usage(`${flag} needs a value`);
    }
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") usage(`unexpected argument ${flag}`);
    throw err;
  }
}

async function main(argv: string[]): Promise<void> {
  const args = parse(argv);
  const port = Number(args.port);
  if (!/^\d+$/.test(args.port) || port > 65535) usage("--port must be 0..65535");
  const bindRetrySeconds = Number(args["bind-retry-seconds"]);
  if (args["bind-retry-seconds"].trim() === "" || !Number.isFinite(bindRetrySeconds) || bindRetrySeconds < 0) {
    usage("--bind-retry-seconds must be a number of seconds, 0 or more");
  }
  const { lb, state: stateFile } = args;
  const secretEnv = args["secret-env"];
  const allowUnsigned = args["allow-unsigned"];
  const haproxySocket = args["haproxy-socket"];
  const haproxyBackend = args["haproxy-backend"];
  const haproxyCaFile = args["haproxy-ca-file"];
  const secret = process.env[secretEnv] || undefined;
  if (!secret && !allowUnsigned) usage(`set the webhook secret in $${secretEnv}, or pass --allow-unsigned`);
  let backend: BalancerSync | undefined;
  if (lb === "haproxy") {
    if (!haproxySocket) usage("--lb haproxy needs --haproxy-socket PATH (HAProxy's stats socket, level admin)");
    backend = new BalancerSync(new HaproxyDriver({ socket: haproxySocket, backend: haproxyBackend, caFile: haproxyCaFile }));
  } else if (lb !== undefined) usage(`--lb ${lb}: the load balancers supported are: haproxy`);
  const receiver = await startReceiver({ port, secret, allowUnsigned, stateFile, bindRetryMs: bindRetrySeconds * 1000, backend });
  const stop = () => void receiver.close().then(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  // Ready only once a stop request would be handled cleanly.
  console.log(`Load balancer receiver listening on ${receiver.url}` + (backend ? ` (driving haproxy backend ${haproxyBackend})` : ""));
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`lb-receiver: ${err.message}`);
  process.exit(1);
});
