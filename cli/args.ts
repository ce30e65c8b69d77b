/** What `node:util.parseArgs` refused, in the words of the commands' usage errors. */
export function argsProblem(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code !== "string" || !e.code.startsWith("ERR_PARSE_ARGS_")) return undefined;
  const quoted = /'([^']*)'/.exec(e.message ?? "")?.[1] ?? "";
  const flag = quoted.split(" ")[0] ?? quoted;
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option "${flag}"`;
  if (e.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument "${flag}": every value follows its option`;
  if (/does not take an argument/.test(e.message ?? "")) return `${flag} takes no value`;
  return `${flag} needs a value`;
}
