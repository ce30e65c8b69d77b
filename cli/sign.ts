/**
 * Signs a channel definition for stacks that require signed definitions.
 *
 *   CHANNEL_SIGNING_KEY=... npm run sign -- def.json      (prints the hex signature)
 *
 * The key comes only from the environment so it never lands in shell history or `ps` output, and it
 * is never printed. The signature covers the JCS canonical form, so reformatting the file or
 * reordering its keys afterwards does not invalidate it; changing any value does.
 */
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { validateChannel } from "../provider/resources/channel/schema";
import { formatIssues, signDefinition } from "../provider/validation";

export interface SignIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readFile: (path: string) => Promise<string>;
}

const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

const USAGE = "usage: CHANNEL_SIGNING_KEY=<key> npm run sign -- <definition.json>";

/** Runs the CLI; returns the exit code instead of exiting so a test can drive it in-process. */
export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: SignIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: true });
  } catch (error) {
    // node:util's message names the flag: "Unknown option '--verbose'".
    io.stderr(`sign: ${(error as Error).message}\n${USAGE}\n`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    io.stdout(`${USAGE}\nPrints the HMAC-SHA256 signature to put in the definition's "signature" field.\n`);
    return EXIT.ok;
  }
  const files = parsed.positionals;
  if (files.length !== 1) {
    io.stderr(`sign: expected exactly one definition file, got ${files.length}\n${USAGE}\n`);
    return EXIT.usage;
  }
  const key = env.CHANNEL_SIGNING_KEY;
  if (!key) {
    io.stderr(
      `sign: CHANNEL_SIGNING_KEY is not set; export the stack's signing key (the value of genesys:signatureKey) and run again\n${USAGE}\n`,
    );
    return EXIT.usage;
  }
  const file = files[0]!;
  let text: string;
  try {
    text = await io.readFile(file);
  } catch (error) {
    io.stderr(`sign: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return EXIT.failure;
  }
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    io.stderr(`sign: ${file} is not valid JSON: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  if (definition === null || typeof definition !== "object" || Array.isArray(definition)) {
    io.stderr(`sign: ${file} must hold one channel definition (a JSON object)\n`);
    return EXIT.failure;
  }
  // Signing an invalid definition is allowed (it fails later anyway), but saying so now saves a round trip.
  const check = validateChannel(definition);
  if (!check.ok) io.stderr(`sign: warning: ${file} will not pass validation:\n${formatIssues(check.issues)}\n`);
  io.stdout(`${signDefinition(definition, key)}\n`);
  return EXIT.ok;
}

if (require.main === module) {
  const io: SignIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: (path) => readFile(path, "utf8"),
  };
  main(process.argv.slice(2), process.env, io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`sign: unexpected failure: ${(error as Error).message}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}
