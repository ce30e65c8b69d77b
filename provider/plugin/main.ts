/**
 * Entry point of `pulumi-resource-genesys` (bin/pulumi-resource-genesys runs it): serves the
 * provider and prints its port on stdout, the one line the engine reads to connect. Everything
 * else this process prints goes to stderr, which the engine shows as the provider's log.
 */
import fs from "node:fs";
import path from "node:path";
import { engineAddress, watchEngine } from "./engine-watch";
import { serve } from "./server";

function packageVersion(): string {
  // dist/provider/plugin/main.js -> the package's own package.json
  const file = path.resolve(__dirname, "../../../package.json");
  return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

async function main(): Promise<void> {
  // Lifecycles log warnings with console.log/console.warn; stdout belongs to the port line.
  console.log = console.error;
  const { port } = await serve({ version: packageVersion() });
  const address = engineAddress(process.argv.slice(2));
  if (address) watchEngine(address);
  fs.writeSync(1, `${port}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`pulumi-resource-genesys: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
