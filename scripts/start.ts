/**
 * `npm start`: the whole dev flow on a laptop. Builds the Pulumi toolchain if needed, starts the
 * embedded Genesys emulator and the load balancer receiver unless they already run, brings the
 * dev stack up with the real `pulumi up`, prints each channel's id and health and the receiver's
 * pool, then stops what it started (pass --keep to leave them running).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pulumiEnv, repoRoot } from "./pulumi-env";
import { type StartedService, isListening, startService } from "./services";

const EMULATOR_PORT = 8787;
const RECEIVER_PORT = 8788;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): void {
  const res = spawnSync(cmd, args, { cwd, env, stdio: "inherit" });
  if (res.status !== 0) throw new Error(`\`${cmd} ${args.join(" ")}\` failed (exit ${res.status ?? res.signal})`);
}

async function ensureService(
  name: string,
  port: number,
  script: string,
  args: string[],
  ready: RegExp,
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<StartedService | undefined> {
  if (await isListening(port)) {
    console.log(`${name}: already running on 127.0.0.1:${port}`);
    return undefined;
  }
  const started = await startService({ script: path.join(root, script), args, ready, cwd: root, env });
  console.log(`${name}: started at ${started.url}`);
  return started;
}

async function main(argv: string[]): Promise<void> {
  const keep = argv.includes("--keep");
  const root = repoRoot();
  const env = pulumiEnv();
  run("bash", [path.join(root, "scripts", "pulumi-toolchain.sh")], env, root);

  run("pulumi", ["stack", "select", "--create", "dev"], env, root);
  fs.mkdirSync(path.join(root, ".data"), { recursive: true });
  const started: StartedService[] = [];
  try {
    const emulator = await ensureService(
      "Genesys emulator",
      EMULATOR_PORT,
      "dist/emulator/cli.js",
      ["--port", String(EMULATOR_PORT), "--data", path.join(root, ".data", "emulator.db"), "--client", "dev-client:dev-secret"],
      /Genesys emulator listening on (http:\/\/\S+)/,
      root,
    );
    if (emulator) started.push(emulator);
    const receiverScript = path.join(root, "dist", "lb-receiver", "cli.js");
    if (fs.existsSync(receiverScript)) {
      const receiver = await ensureService(
        "Load balancer receiver",
        RECEIVER_PORT,
        "dist/lb-receiver/cli.js",
        ["--port", String(RECEIVER_PORT), "--secret-env", "LB_WEBHOOK_SECRET", "--state", path.join(root, ".data", "lb-pool.json")],
        /listening on (http:\/\/\S+)/,
        root,
        // The receiver verifies deliveries with the same secret the stack gives the webhooks.
        { ...process.env, LB_WEBHOOK_SECRET: configValue("genesys:webhookSecret", env, root) },
      );
      if (receiver) started.push(receiver);
    }

    run("pulumi", ["up", "--yes", "--stack", "dev"], env, root);

    const outputs = JSON.parse(
      execFileSync("pulumi", ["stack", "output", "channels", "--json", "--stack", "dev"], { cwd: root, env }).toString(),
    ) as Record<string, { name: string; brandId: string; healthStatus: string; endpointUrl: string }>;
    console.log("\nChannels:");
    const rows = Object.entries(outputs).map(([key, c]) => [key, c.name, c.brandId, c.healthStatus, c.endpointUrl]);
    printTable(["resource", "name", "id", "health", "endpoint"], rows);

    if (fs.existsSync(receiverScript)) {
      const pool = await waitForPool(`http://127.0.0.1:${RECEIVER_PORT}/pool`, Object.keys(outputs).length);
      console.log("\nLoad balancer pool (from signed webhook deliveries):");
      printTable(
        ["brand id", "name", "endpoint"],
        pool.map((m) => [m.brandId, m.name, m.endpointUrl]),
      );
    }
  } finally {
    if (!keep) for (const s of started.reverse()) await s.stop();
    else if (started.length > 0) console.log("\nLeft running (--keep): " + started.map((s) => s.url).join(", "));
  }
}

async function waitForPool(url: string, expected: number): Promise<{ brandId: string; name: string; endpointUrl: string }[]> {
  const deadline = Date.now() + 10_000;
  let members: { brandId: string; name: string; endpointUrl: string }[] = [];
  while (Date.now() < deadline) {
    const res = await fetch(url);
    members = ((await res.json()) as { members: typeof members }).members;
    if (members.length >= expected) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return members;
}

function configValue(key: string, env: NodeJS.ProcessEnv, cwd: string): string {
  return execFileSync("pulumi", ["config", "get", key, "--stack", "dev"], { cwd, env }).toString().trim();
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => String(c ?? "").padEnd(widths[i])).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`npm start failed: ${err.message}`);
  process.exit(1);
});
