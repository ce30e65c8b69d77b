/**
 * Splits one declarations file into the shards of a large fleet, one file per stack:
 *
 *   npm run shard -- --file fleet.json --shards 10 [--out shards] [--prefix shard] [--from STACK] [--allow-moves]
 *
 * A channel's shard is a hash of its `resourceName` modulo the shard count, so adding or removing
 * a channel never moves another one. Moving a deployed channel between stacks takes the procedure of
 * docs/large-fleets.md, so when the shard files already exist and the new split would move a
 * channel (the shard count changed), nothing is written and the moves are listed, unless
 * `--allow-moves`. Every file is written to a temporary name first and renamed only once all are written.
 *
 * Paths are the caller's: `--file` and `--out` are read from the folder `npm run shard` was run in,
 * where the printed commands run too, and each `channelsFile` is given relative to the Pulumi
 * project found from there (the program reads it from the project folder).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError, parseOptions } from "./args";
import { callerDir, pulumiProjectOf } from "./caller";
import { ignoreClosedStdout } from "./stdout";

export { UsageError };

interface ShardOptions {
  file: string;
  shards: number;
  out: string;
  prefix: string;
  allowMoves: boolean;
  /** The stack whose genesys:* settings the shard stacks copy; the selected stack when absent. */
  from?: string;
  /** The folder the printed commands run in: the caller's. */
  cwd: string;
}

/** A declaration as far as sharding needs it; the rest is the program's to check. */
type Declaration = { resourceName: string } & Record<string, unknown>;

const USAGE = `usage: npm run shard -- --file FLEET.json --shards N [--out DIR] [--prefix NAME] [--from STACK] [--allow-moves]
  --file         JSON array of channel declarations (the channelsFile format); paths are taken from your folder
  --shards       how many stacks to split it into (1 to 1000)
  --out          folder for the shard files (default: shards, beside FLEET.json)
  --prefix       shard file and stack name prefix (default shard: shard-0.json ... shard-N-1.json)
  --from         the configured stack whose genesys:* settings each shard stack copies (default: the selected stack)
  --allow-moves  write even when existing shard files would lose channels to other shards`;

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): ShardOptions {
  const values = parseOptions(argv, {
    file: { type: "string" },
    shards: { type: "string" },
    out: { type: "string" },
    prefix: { type: "string" },
    "allow-moves": { type: "boolean" },
    from: { type: "string" },
  });
  const allowMoves = values["allow-moves"] ?? false;
  const file = values.file;
  if (!file) throw new UsageError("--file is required: the JSON array of channel declarations to split");
  const shards = Number(values.shards);
  if (!Number.isInteger(shards) || shards < 1 || shards > 1000)
    throw new UsageError(`--shards must be a whole number from 1 to 1000 (got "${values.shards ?? ""}")`);
  const prefix = values.prefix ?? "shard";
  // The prefix names stacks too, and Pulumi stack names allow only these.
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) throw new UsageError(`--prefix may hold only letters, digits, "-", "_" and "." (got "${prefix}")`);
  if (values.from !== undefined && !/^[A-Za-z0-9_./-]+$/.test(values.from))
    throw new UsageError(`--from names a stack: letters, digits, "-", "_", "." and "/" (got "${values.from}")`);
  // Kept as given (relative to the caller's folder, or absolute): the lines printed read as typed.
  const out = values.out ?? path.join(path.dirname(file), "shards");
  return { file, shards, out, prefix, allowMoves, from: values.from, cwd: callerDir("shard", env, cwd) };
}

/** The shard of a channel: depends on its resourceName and the shard count only. */
function shardOf(resourceName: string, shards: number): number {
  return createHash("sha256").update(resourceName).digest().readUInt32BE(0) % shards;
}

/** Checks what sharding relies on: an array of objects, each with a unique, non-empty resourceName. */
function declarationsOf(parsed: unknown, source: string): Declaration[] {
  if (!Array.isArray(parsed)) throw new UsageError(`${source} must hold a JSON array of channel declarations`);
  const seen = new Set<string>();
  return parsed.map((entry, i) => {
    const name = (entry as { resourceName?: unknown } | null)?.resourceName;
    if (typeof entry !== "object" || entry === null || typeof name !== "string" || name === "")
      throw new UsageError(`${source}: entry ${i} has no resourceName; every channel needs a unique resourceName`);
    if (seen.has(name)) throw new UsageError(`${source}: two channels are declared with resourceName "${name}"; make them unique`);
    seen.add(name);
    return entry as Declaration;
  });
}

export function split(declarations: Declaration[], shards: number): Declaration[][] {
  const parts: Declaration[][] = Array.from({ length: shards }, () => []);
  for (const d of declarations) parts[shardOf(d.resourceName, shards)]!.push(d);
  return parts;
}

/** The resourceNames in each existing `<prefix>-<n>.json` of the folder. */
function existingShards(out: string, prefix: string, cwd: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  if (!fs.existsSync(path.resolve(cwd, out))) return found;
  const pattern = new RegExp(`^${prefix.replace(/[.]/g, "\\.")}-\\d+\\.json$`);
  for (const name of fs.readdirSync(path.resolve(cwd, out)).filter((n) => pattern.test(n))) {
    const file = path.join(out, name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(path.resolve(cwd, file), "utf8"));
    } catch (err) {
      throw new UsageError(`${file} is not valid JSON (${(err as Error).message}); fix or remove it first`, { cause: err });
    }
    found.set(
      file,
      declarationsOf(parsed, file).map((d) => d.resourceName),
    );
  }
  return found;
}

/** A path as one word of a printed shell command. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A failed write leaves every shard file as it was: all go to temporary names first, then each is renamed over its file. */
function writeAll(files: { file: string; text: string }[]): void {
  const temps: string[] = [];
  try {
    for (const { file, text } of files) {
      const temp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temp, text);
      temps.push(temp);
    }
  } catch (err) {
    for (const temp of temps) fs.rmSync(temp, { force: true });
    throw err;
  }
  files.forEach(({ file }, i) => fs.renameSync(temps[i]!, file));
}

export function run(opts: ShardOptions, say: (line: string) => void): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(path.resolve(opts.cwd, opts.file), "utf8"));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      code ? `cannot read --file ${opts.file} (${code})` : `${opts.file} is not valid JSON (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  }
  const declarations = declarationsOf(parsed, opts.file);
  const parts = split(declarations, opts.shards);
  const fileAt = (i: number) => path.join(opts.out, `${opts.prefix}-${i}.json`);
  const target = new Map(declarations.map((d) => [d.resourceName, fileAt(shardOf(d.resourceName, opts.shards))]));
  const existing = existingShards(opts.out, opts.prefix, opts.cwd);
  // A channel removed from the fleet is no move: its stack destroys it, as the user asked.
  const moves = [...existing].flatMap(([from, names]) =>
    names.flatMap((resourceName) => {
      const to = target.get(resourceName);
      return to !== undefined && to !== from ? [{ resourceName, from, to }] : [];
    }),
  );
  if (moves.length > 0 && !opts.allowMoves) {
    const shown = moves.slice(0, 10).map((m) => `  ${m.resourceName}: ${m.from} -> ${m.to}`);
    throw new UsageError(
      [
        `${moves.length} deployed channel(s) would move to another shard (the shard count differs from the existing files'):`,
        ...shown,
        ...(moves.length > shown.length ? [`  ... and ${moves.length - shown.length} more`] : []),
        `nothing was written. Keep --shards as it was, or move each channel as docs/large-fleets.md says and run again with --allow-moves.`,
      ].join("\n"),
    );
  }
  fs.mkdirSync(path.resolve(opts.cwd, opts.out), { recursive: true });
  writeAll(parts.map((part, i) => ({ file: path.resolve(opts.cwd, fileAt(i)), text: `${JSON.stringify(part, null, 2)}\n` })));
  const stacks = parts.map((_, i) => `${opts.prefix}-${i}`);
  say(
    `${opts.file}: ${declarations.length} channel(s) into ${opts.shards} shard(s), by a hash of resourceName (adding or removing a channel moves no other)`,
  );
  parts.forEach((part, i) => say(`  ${fileAt(i)}  ${part.length} channel(s)`));
  const written = new Set(parts.map((_, i) => fileAt(i)));
  for (const file of existing.keys()) {
    if (!written.has(file)) say(`  ${file} is no shard of ${opts.shards} now; its stack still manages what it deployed`);
  }
  // A new stack has no genesys:* settings: each shard copies them from the stack that has them (secrets
  // included, re-encrypted), then gets its own channelsFile.
  const from = opts.from ? ` --stack ${opts.from}` : "";
  // The program reads channelsFile from its project folder, which may be above the caller's.
  const project = pulumiProjectOf(opts.cwd);
  const channelsFile = (file: string) =>
    path.isAbsolute(file) || project === undefined ? file : path.relative(project, path.resolve(opts.cwd, file));
  say(
    `each stack once, its settings copied from ${opts.from ? `stack ${opts.from}` : "the selected stack (pulumi stack select NAME, or --from NAME)"}; names are yours, these match the files:`,
  );
  stacks.forEach((stack, i) =>
    say(
      `  pulumi stack init ${stack} --no-select && pulumi config cp${from} --dest ${stack} && pulumi config set channelsFile ${shellWord(channelsFile(fileAt(i)))} --stack ${stack}`,
    ),
  );
  say(`then: npm run deploy -- --stacks ${stacks.join(",")} --parallel ${opts.shards}`);
  say("  (each running stack holds a CLI, a language host and a provider, about 500 MB: lower --parallel on a small runner)");
}

function main(argv: readonly string[]): number {
  let opts: ShardOptions;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`shard: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  try {
    run(opts, (line) => process.stdout.write(`${line}\n`));
    return 0;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`shard: ${err.message}\n`);
    return 2;
  }
}

if (require.main === module) {
  // `npm run shard ... | head`: the files are written by then.
  ignoreClosedStdout();
  process.exitCode = main(process.argv.slice(2));
}
