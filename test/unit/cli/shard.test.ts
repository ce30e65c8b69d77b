import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError, parseArgs, run, split } from "../../../cli/shard";

const fleet = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    resourceName: `ch-${from + i}`,
    name: `Channel ${from + i}`,
    endpointUrl: "wss://x.example.com",
  }));

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "shard-test-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, value: unknown) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
};
const read = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as { resourceName: string }[];
const names = (file: string) => read(file).map((d) => d.resourceName);
const silent = () => undefined;

describe("npm run shard", () => {
  it("puts every channel in exactly one shard, keeping each shard in declaration order", () => {
    const declared = fleet(200);
    const parts = split(declared, 7);
    expect(parts).toHaveLength(7);
    expect(
      parts
        .flat()
        .map((d) => d.resourceName)
        .sort(),
    ).toEqual(declared.map((d) => d.resourceName).sort());
    for (const part of parts) {
      const order = part.map((d) => Number(d.resourceName.slice(3)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    // A hash spreads 200 channels over 7 shards roughly evenly, not all into one.
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThan(50);
  });

  it("adding a channel anywhere in the file, or removing one, moves no other channel to another shard", () => {
    const shardMap = (declared: { resourceName: string }[]) =>
      new Map(split(declared as ReturnType<typeof fleet>, 10).flatMap((part, i) => part.map((d) => [d.resourceName, i] as const)));
    const declared = fleet(100);
    const before = shardMap(declared);
    expect(before.size).toBe(100);
    const added = { resourceName: "new-channel", name: "New", endpointUrl: "wss://x.example.com" };
    // At the front, in the middle and at the end: a split by position would shift every channel after it.
    for (const fleetAfter of [
      [added, ...declared],
      [...declared.slice(0, 50), added, ...declared.slice(50)],
      [...declared, added],
    ]) {
      const after = shardMap(fleetAfter);
      expect(after.size).toBe(101);
      after.delete("new-channel");
      expect(after).toEqual(before);
    }
    const removed = shardMap([...declared.slice(0, 10), ...declared.slice(11)]);
    expect(removed.size).toBe(99);
    before.delete("ch-10");
    expect(removed).toEqual(before);
  });

  it("writes one file per shard with the commands that wire them to stacks", () => {
    const file = write("fleet.json", fleet(30));
    const lines: string[] = [];
    run(parseArgs(["--file", file, "--shards", "3"]), (l) => lines.push(l));
    const out = path.join(dir, "shards");
    expect(fs.readdirSync(out).sort()).toEqual(["shard-0.json", "shard-1.json", "shard-2.json"]);
    expect([0, 1, 2].flatMap((i) => names(path.join(out, `shard-${i}.json`))).sort()).toEqual(
      fleet(30)
        .map((d) => d.resourceName)
        .sort(),
    );
    // The whole declaration is kept, not only the name.
    expect(read(path.join(out, "shard-0.json"))[0]).toHaveProperty("endpointUrl", "wss://x.example.com");
    // Each stack gets the settings of a configured one: a bare stack has no genesys:* config.
    expect(lines).toContain(
      `  pulumi stack init shard-1 --no-select && pulumi config cp --dest shard-1 && pulumi config set channelsFile ${path.join(out, "shard-1.json")} --stack shard-1`,
    );
    const fromDev: string[] = [];
    run(parseArgs(["--file", file, "--shards", "3", "--from", "dev"]), (l) => fromDev.push(l));
    expect(fromDev).toContain(
      `  pulumi stack init shard-0 --no-select && pulumi config cp --stack dev --dest shard-0 && pulumi config set channelsFile ${path.join(out, "shard-0.json")} --stack shard-0`,
    );
    expect(lines.at(-2)).toBe("then: npm run deploy -- --stacks shard-0,shard-1,shard-2 --parallel 3");
  });

  it("run by npm run shard from a folder inside the project, reads and writes there and gives channelsFile from the project", () => {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: theirs\nruntime: nodejs\n");
    const fleetDir = path.join(dir, "fleet");
    fs.mkdirSync(fleetDir);
    fs.writeFileSync(path.join(fleetDir, "fleet.json"), JSON.stringify(fleet(4)));
    const lines: string[] = [];
    // npm run starts the script in this package's root; the user was in fleetDir.
    const packageRoot = path.resolve(__dirname, "../../..");
    const opts = parseArgs(["--file", "fleet.json", "--shards", "2"], { npm_lifecycle_event: "shard", INIT_CWD: fleetDir }, packageRoot);
    run(opts, (l) => lines.push(l));
    expect(fs.readdirSync(path.join(fleetDir, "shards")).sort()).toEqual(["shard-0.json", "shard-1.json"]);
    expect(lines).toContain(
      `  ${path.join("shards", "shard-1.json")}  ${names(path.join(fleetDir, "shards", "shard-1.json")).length} channel(s)`,
    );
    // Run where the user is, pulumi finds the project above; the program reads channelsFile from there.
    expect(lines).toContain(
      "  pulumi stack init shard-0 --no-select && pulumi config cp --dest shard-0 && pulumi config set channelsFile fleet/shards/shard-0.json --stack shard-0",
    );
    expect(fs.existsSync(path.join(packageRoot, "shards"))).toBe(false);
  });

  it("run again after adding channels, rewrites the shards without moving a deployed channel", () => {
    const file = write("fleet.json", fleet(30));
    run(parseArgs(["--file", file, "--shards", "3"]), silent);
    const out = path.join(dir, "shards");
    const first = [0, 1, 2].map((i) => names(path.join(out, `shard-${i}.json`)));
    write("fleet.json", fleet(45));
    run(parseArgs(["--file", file, "--shards", "3"]), silent);
    const second = [0, 1, 2].map((i) => names(path.join(out, `shard-${i}.json`)));
    first.forEach((names, i) => expect(second[i]).toEqual(expect.arrayContaining(names)));
  });

  it("refuses a new shard count that would move deployed channels, names them, and writes nothing", () => {
    const file = write("fleet.json", fleet(30));
    run(parseArgs(["--file", file, "--shards", "3"]), silent);
    const out = path.join(dir, "shards");
    const before = fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f), "utf8")]);
    expect(() => run(parseArgs(["--file", file, "--shards", "4"]), silent)).toThrow(
      /deployed channel\(s\) would move to another shard[\s\S]*ch-\d+: .*shard-\d\.json -> .*shard-\d\.json[\s\S]*nothing was written/,
    );
    expect(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f), "utf8")])).toEqual(before);
    // With --allow-moves it writes, and says which old file is no shard any more when the count shrinks.
    const lines: string[] = [];
    run(parseArgs(["--file", file, "--shards", "2", "--allow-moves"]), (l) => lines.push(l));
    expect(lines).toContain(`  ${path.join(out, "shard-2.json")} is no shard of 2 now; its stack still manages what it deployed`);
  });

  it.each([
    [[{ name: "x" }], /entry 0 has no resourceName; every channel needs a unique resourceName/],
    [[{ resourceName: "a" }, { resourceName: "a" }], /two channels are declared with resourceName "a"; make them unique/],
    [{ resourceName: "a" }, /must hold a JSON array of channel declarations/],
  ])("refuses a declarations file it cannot shard: %j", (content, message) => {
    const file = write("fleet.json", content);
    expect(() => run(parseArgs(["--file", file, "--shards", "2"]), silent)).toThrow(message);
    expect(fs.existsSync(path.join(dir, "shards"))).toBe(false);
  });

  it("keeps the cause of a file it could not read or parse", () => {
    const missing = path.join(dir, "missing.json");
    const unreadable = (() => {
      try {
        run(parseArgs(["--file", missing, "--shards", "2"]), silent);
      } catch (err) {
        return err as Error;
      }
      return undefined;
    })();
    expect(unreadable).toBeInstanceOf(UsageError);
    expect((unreadable?.cause as NodeJS.ErrnoException | undefined)?.code).toBe("ENOENT");
    const file = write("fleet.json", fleet(4));
    fs.mkdirSync(path.join(dir, "shards"));
    fs.writeFileSync(path.join(dir, "shards", "shard-0.json"), "{ not json");
    const broken = (() => {
      try {
        run(parseArgs(["--file", file, "--shards", "2"]), silent);
      } catch (err) {
        return err as Error;
      }
      return undefined;
    })();
    expect(broken?.message).toMatch(/shard-0\.json is not valid JSON/);
    expect(broken?.cause).toBeInstanceOf(SyntaxError);
  });

  it.each([
    [["--shards", "2"], /--file is required/],
    [["--file", "f.json"], /--shards must be a whole number from 1 to 1000/],
    [["--file", "f.json", "--shards", "0"], /--shards must be a whole number from 1 to 1000/],
    [["--file", "f.json", "--shards", "2", "--prefix", "a b"], /--prefix may hold only letters/],
    [["--file", "f.json", "--shards", "2", "--verbose"], /unknown option "--verbose"/],
    [["--file", "f.json", "--shards"], /--shards needs a value/],
    [["--file", "--shards", "2"], /--file needs a value/],
    [["--file=", "--shards", "2"], /--file needs a value/],
    [["--file", "f.json", "--shards", "2", "extra"], /unexpected argument "extra"/],
    [["--file", "f.json", "--shards", "2", "--allow-moves=yes"], /--allow-moves takes no value/],
    [["--file", "f.json", "--shards", "2", "--from", "a b"], /--from names a stack/],
  ])("rejects the arguments %j", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it("as a command, writes the shards and exits 0, or prints the problem and exits 2", () => {
    const cli = path.join(__dirname, "../../../dist/cli/shard.js");
    const file = write("fleet.json", fleet(12));
    const ok = spawnSync(process.execPath, [cli, "--file", file, "--shards", "2", "--out", path.join(dir, "out")], { encoding: "utf8" });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("12 channel(s) into 2 shard(s)");
    expect(fs.readdirSync(path.join(dir, "out")).sort()).toEqual(["shard-0.json", "shard-1.json"]);
    const bad = spawnSync(process.execPath, [cli, "--file", path.join(dir, "missing.json"), "--shards", "2"], { encoding: "utf8" });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^shard: cannot read --file .*missing\.json \(ENOENT\)/);
    const unknown = spawnSync(process.execPath, [cli, "--file", file, "--shards", "2", "--verbose"], { encoding: "utf8" });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^shard: unknown option "--verbose"\nusage: npm run shard/);
  });

  it("as a command whose output pipe is closed early (| head), still writes the shards and exits 0", async () => {
    const cli = path.join(__dirname, "../../../dist/cli/shard.js");
    const file = write("fleet.json", fleet(12));
    const child = spawn(process.execPath, [cli, "--file", file, "--shards", "3"], { stdio: ["ignore", "pipe", "pipe"] });
    // The reading end goes away before the command prints anything, as when `head` has exited.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(fs.readdirSync(path.join(dir, "shards")).sort()).toEqual(["shard-0.json", "shard-1.json", "shard-2.json"]);
  });
});
