import { parseArgs as parseArgv, type ParseArgsConfig } from "node:util";

/** A command line the command refuses: the CLI prints it with the usage and exits 2. */
export class UsageError extends Error {}

/**
 * `node:util.parseArgs` with the commands' rules (no positionals, no unknown options), its refusals
 * turned into UsageErrors in the commands' words, the parser's error kept as the cause.
 */
type StrictConfig<O> = { args: string[]; options: O; strict: true; allowPositionals: false };

export function parseOptions<O extends NonNullable<ParseArgsConfig["options"]>>(
  argv: readonly string[],
  options: O,
): ReturnType<typeof parseArgv<StrictConfig<O>>>["values"] {
  try {
    return parseArgv({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    const problem = argsProblem(err);
    if (problem === undefined) throw err;
    throw new UsageError(problem, { cause: err });
  }
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
