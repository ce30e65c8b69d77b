/**
 * node dist/lb-receiver/cli.js [--port N] [--secret-env VAR] [--state FILE] [--allow-unsigned] [--bind-retry-seconds N]
 *                              [--lb haproxy --haproxy-socket PATH [--haproxy-backend NAME] [--haproxy-ca-file FILE]]
 * The secret is read from an environment variable so it never shows in a process listing.
 */
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

async function main(argv: string[]): Promise<void> {
  let port = 8788;
  let secretEnv = "LB_WEBHOOK_SECRET";
  let stateFile: string | undefined;
  let allowUnsigned = false;
  let bindRetrySeconds = 0;
  let lb: string | undefined;
  let haproxySocket: string | undefined;
  let haproxyBackend = "channels";
  let haproxyCaFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === "--port") {
      port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) usage("--port must be 0..65535");
    } else if (flag === "--secret-env") secretEnv = value();
    else if (flag === "--state") stateFile = value();
    else if (flag === "--allow-unsigned") allowUnsigned = true;
    else if (flag === "--bind-retry-seconds") {
      bindRetrySeconds = Number(value());
      if (!Number.isFinite(bindRetrySeconds) || bindRetrySeconds < 0) usage("--bind-retry-seconds must be a number of seconds, 0 or more");
    } else if (flag === "--lb") lb = value();
    else if (flag === "--haproxy-socket") haproxySocket = value();
    else if (flag === "--haproxy-backend") haproxyBackend = value();
    else if (flag === "--haproxy-ca-file") haproxyCaFile = value();
    else usage(`unknown flag ${flag}`);
  }
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
