import { parseArgs as parseArgv, type ParseArgsConfig } from "node:util";

/** A command line the command refuses: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;
type StrictConfig<O extends Options, P extends boolean> = { args: string[]; options: O; strict: true; allowPositionals: P };
type Parsed<O extends Options, P extends boolean> = ReturnType<typeof parseArgv<StrictConfig<O, P>>>;

/**
 * `node:util.parseArgs` with the commands' rules (no unknown options, no option without its value,
 * `--dir=` included), its refusals turned into UsageErrors in the commands' words, the parser's
 * error kept as the cause.
 */
function strictParse<O extends Options, P extends boolean>(argv: readonly string[], options: O, allowPositionals: P): Parsed<O, P> {
  let parsed: Parsed<O, P>;
  try {
    parsed = parseArgv({ args: [...argv], options, strict: true, allowPositionals });
  } catch (err) {
    const problem = argsProblem(err);
    if (problem === undefined) throw err;
    throw new UsageError(problem, { cause: err });
  }
  for (const [flag, value] of Object.entries(parsed.values)) {
    if (value === "") throw new UsageError(`--${flag} needs a value`);
  }
  return parsed;
}

/** The options of a command that takes no positional arguments (`npm run deploy`, `npm run shard`). */
export function parseOptions<O extends Options>(argv: readonly string[], options: O): Parsed<O, false>["values"] {
  return strictParse(argv, options, false).values;
}

/** The options and the positional arguments (a subcommand, as `npm run audit -- verify`) of a command line. */
export function parseCommandLine<O extends Options>(argv: readonly string[], options: O): Parsed<O, true> {
  return strictParse(argv, options, true);
}

/** What `node:util.parseArgs` refused, in the words of the commands' usage errors. */
function argsProblem(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code !== "string" || !e.code.startsWith("ERR_PARSE_ARGS_")) return undefined;
  const quoted = /'([^']*)'/.exec(e.message ?? "")?.[1] ?? "";
  const flag = quoted.split(" ")[0] ?? quoted;
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option "${flag}"`;
  if (e.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument "${flag}": every value follows its option`;
  if (/does not take an argument/.test(e.message ?? "")) return `${flag} takes no value`;
  return `${flag} needs a value`;
}
