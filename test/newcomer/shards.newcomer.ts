/**
 * A fleet split into shard stacks, as docs/large-fleets.md tells it, run from a folder of the
 * user's own inside the checkout (`fleet/`, holding `fleet.json`): `npm run shard` there, then each
 * command it printed, literally, in that folder, then the `npm run deploy` it suggests, against
 * `npm start -- --keep`'s emulator. `npm run` starts its scripts in the package root; the files,
 * the stacks' `channelsFile` and the project `npm run deploy` runs must all be the user's folder's.
 *
 * The clone gets this checkout's node_modules instead of `npm ci` (the quickstart test covers
 * that); the shell is the same unfriendly one (test/newcomer/shell.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MINUTE, PORTS, brands, cleanUp, listening, newcomerEnv, outer, readmeBlock, sh } from "./shell";

const SHARDS = 3;
const fleet = Array.from({ length: 7 }, (_, i) => ({
  resourceName: `fleet-${i}`,
  name: `Fleet Channel ${i}`,
  endpointUrl: `wss://localhost:9443/fleet-${i}`,
  allowedOrigins: [`https://fleet-${i}.example.com`],
  channelTypes: ["webmessaging"],
  settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50 },
}));
const fleetNames = fleet.map((c) => c.name).sort();

/** The rows of `npm run deploy`'s summary table: stack, command, result, changes. */
function summaryRows(output: string): { stack: string; command: string; result: string; changes: string }[] {
  const table = output.split(/\nStack\s+Command\s+Result[^\n]*\n[-\s]+\n/)[1]?.split(/\n\s*\n/)[0] ?? "";
  return table
    .split("\n")
    .map((line) => /^(\S+)\s+(\S+)\s+(ok|FAILED)\s+(.*?)\s{2,}/.exec(`${line}  `))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ stack: m[1]!, command: m[2]!, result: m[3]!, changes: m[4]! }));
}

describe("npm run shard, its printed commands and the npm run deploy it suggests", () => {
  let tmp: string;
  let clone: string;
  let fleetDir: string;
  let setup: string;
  let stacks: string[] = [];
  let deployLine: string;
  const atThePrompt = () => ({ ...newcomerEnv(), PULUMI_SKIP_CONFIRMATIONS: "true" });
  /** A script run in fleet/, in the README's shell set-up (whose paths are the checkout's: it is pasted there, then `cd fleet`). */
  const inFleet = (commands: string, timeoutMs: number) => sh(`${setup}\ncd fleet\n${commands}`, clone, { env: atThePrompt(), timeoutMs });

  beforeAll(async () => {
    for (const port of PORTS) {
      if (await listening(port))
        throw new Error(`port ${port} is in use (an \`npm start -- --keep\` still running? \`npm start -- --stop\` stops it)`);
    }
    if (!fs.existsSync(path.join(outer, ".tools", "bin", "pulumi")))
      throw new Error("run `npm run toolchain` first: the newcomer's PATH has this checkout's CLI");
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-shards-"));
    clone = path.join(tmp, "genesys-webmessaging");
    const cloned = await sh(
      `git clone --quiet ${JSON.stringify(outer)} ${JSON.stringify(clone)} && cp -a ${JSON.stringify(path.join(outer, "node_modules"))} ${JSON.stringify(clone)}/`,
      tmp,
      { timeoutMs: 5 * MINUTE },
    );
    if (cloned.code !== 0) throw new Error(cloned.output);
    setup = readmeBlock(fs.readFileSync(path.join(clone, "README.md"), "utf8"), "cli-setup").setup;
    fleetDir = path.join(clone, "fleet");
    fs.mkdirSync(fleetDir);
    fs.writeFileSync(path.join(fleetDir, "fleet.json"), `${JSON.stringify(fleet, null, 2)}\n`);
  });

  afterAll(() => cleanUp(clone, tmp));

  it("npm start -- --keep leaves the dev stack configured and the emulator running", { timeout: 10 * MINUTE }, async () => {
    const kept = await sh("npm start -- --keep", clone, { timeoutMs: 9 * MINUTE });
    expect(kept.code, kept.output).toBe(0);
    for (const port of PORTS) expect(await listening(port), `port ${port} after --keep`).toBe(true);
  });

  it(
    "npm run shard, run in the user's folder, splits that folder's fleet.json and prints a command per stack",
    { timeout: 3 * MINUTE },
    async () => {
      const shard = await inFleet(`npm run shard -- --file fleet.json --shards ${SHARDS} --from dev`, 2 * MINUTE);
      expect(shard.code, shard.output).toBe(0);
      expect(fs.readdirSync(path.join(fleetDir, "shards")).sort()).toEqual(Array.from({ length: SHARDS }, (_, i) => `shard-${i}.json`));
      const printed = shard.output.split("\n").filter((l) => /^\s+pulumi stack init /.test(l));
      expect(printed.length, shard.output).toBe(SHARDS);
      const then = shard.output.split("\n").filter((l) => l.startsWith("then: "));
      expect(then.length, shard.output).toBe(1);
      deployLine = then[0]!.slice("then: ".length);
      stacks = /--stacks (\S+)/.exec(deployLine)![1]!.split(",");
      expect(stacks).toEqual(Array.from({ length: SHARDS }, (_, i) => `shard-${i}`));

      // Each printed line as the user pastes it, in the same folder.
      for (const command of printed) {
        const step = await inFleet(command.trim(), 2 * MINUTE);
        expect(step.code, `${command}:\n${step.output}`).toBe(0);
      }
    },
  );

  it("the npm run deploy it suggests deploys every shard stack of the user's project", { timeout: 10 * MINUTE }, async () => {
    expect(deployLine).toMatch(/^npm run deploy -- --stacks /);
    const deployed = await inFleet(deployLine, 9 * MINUTE);
    expect(deployed.code, deployed.output).toBe(0);
    const rows = summaryRows(deployed.output);
    expect(
      rows.map((r) => r.stack),
      deployed.output,
    ).toEqual(stacks);
    for (const row of rows) expect(`${row.stack}: ${row.command} ${row.result} ${row.changes}`).toMatch(/^shard-\d: up ok \+\d+ ~0 -0$/);
    const live = (await brands()).map((b) => b.name);
    expect(live.filter((n) => n.startsWith("Fleet ")).sort()).toEqual(fleetNames);
    // Each stack holds its own shard's channels, read from fleet/shards through its channelsFile.
    for (const [i, stack] of stacks.entries()) {
      const file = path.join(fleetDir, "shards", `shard-${i}.json`);
      const declared = (JSON.parse(fs.readFileSync(file, "utf8")) as { resourceName: string }[]).map((d) => d.resourceName).sort();
      const outputs = await inFleet(`pulumi stack output channels --json --stack ${stack}`, MINUTE);
      expect(outputs.code, outputs.output).toBe(0);
      expect(Object.keys(JSON.parse(outputs.output) as object).sort(), stack).toEqual(declared);
    }
  });

  it(
    "npm run deploy -- --command destroy, from the same folder, removes every shard stack's channels",
    { timeout: 5 * MINUTE },
    async () => {
      const destroyed = await inFleet(`npm run deploy -- --stacks ${stacks.join(",")} --command destroy`, 4 * MINUTE);
      expect(destroyed.code, destroyed.output).toBe(0);
      const rows = summaryRows(destroyed.output);
      expect(rows.map((r) => `${r.stack} ${r.command} ${r.result}`)).toEqual(stacks.map((s) => `${s} destroy ok`));
      expect((await brands()).filter((b) => b.name.startsWith("Fleet "))).toEqual([]);
      // The dev stack's channels stay: only the shard stacks were destroyed.
      expect((await brands()).length).toBeGreaterThan(0);
    },
  );

  it("npm start -- --stop stops the emulator and the receiver", { timeout: 3 * MINUTE }, async () => {
    const stop = await sh("npm start -- --stop", clone, { timeoutMs: 2 * MINUTE });
    expect(stop.code, stop.output).toBe(0);
    for (const port of PORTS) expect(await listening(port), `port ${port} after --stop`).toBe(false);
  });
});
