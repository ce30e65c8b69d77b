/**
 * Several stacks at once through Pulumi's Automation API, the way a platform team's CI runs them:
 *
 *   npm run deploy -- --stacks a,b,c,d [--command up|preview|refresh|destroy] [--parallel N]
 *                     [--backend URL] [--lock-wait SECONDS] [--dir PROJECT] [--expect-no-changes]
 *
 * One progress line per stack as it goes, a summary table at the end, exit code 1 when any stack
 * failed. A stack locked by another runner is waited for up to --lock-wait seconds (default 0), then
 * fails with who holds the lock and how to clear a stale one. With the postgres:// backend a lock
 * being released can surface as a raw "NotFound"; that is the same contention and ends the same way.
 *
 * The project is the one a `pulumi` command would use where the user is (the nearest Pulumi.yaml at
 * or above the folder `npm run deploy` was run from), so the stacks that `pulumi stack init` made
 * there, as `npm run shard` prints it, are the ones deployed.
 */
import * as path from "node:path";
import { type EngineEvent, LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { redactUrl } from "../provider/genesys/coordination";
import { callerPulumiEnv, repoRoot } from "../scripts/pulumi-env";
import { UsageError, parseOptions } from "./args";
import { callerDir, pulumiProjectOf } from "./caller";
import { ignoreClosedStdout } from "./stdout";

type Command = "up" | "preview" | "refresh" | "destroy";

export interface DeployOptions {
  stacks: string[];
  command: Command;
  parallel: number;
  backend?: string;
  lockWaitSeconds: number;
  dir: string;
  expectNoChanges: boolean;
}

export interface StackResult {
  stack: string;
  command: Command;
  ok: boolean;
  /** "+3 ~1 -0" or "no changes". */
  changes: string;
  seconds: number;
  /** Why it failed; empty on success. */
  error: string;
  lockWaits: number;
}

export { UsageError };

const USAGE = `usage: npm run deploy -- --stacks a,b,c [--command up|preview|refresh|destroy] [--parallel N]
                         [--backend URL] [--lock-wait SECONDS] [--dir PROJECT] [--expect-no-changes]
  --stacks             stacks to run (created when missing)
  --command            default up
  --parallel           stacks at once (default: all of them)
  --backend            state backend, e.g. postgres://user:pw@host:5432/db or file:///path (default $PULUMI_BACKEND_URL)
  --lock-wait          seconds to wait for a stack locked by another runner (default 0: fail at once)
  --dir                the Pulumi project (default: the one pulumi uses where you are, the nearest Pulumi.yaml
                       at or above the folder you ran npm run deploy from)
  --expect-no-changes  fail a preview/up/refresh that would change anything`;

/** The project of the folder the user ran the command from, as `pulumi` there finds it. */
function defaultDir(env: NodeJS.ProcessEnv, cwd: string): string {
  const from = callerDir("deploy", env, cwd);
  const project = pulumiProjectOf(from);
  if (project === undefined)
    throw new UsageError(
      `no Pulumi project (Pulumi.yaml) in ${from} or any folder above it: run it from your project's folder, or pass --dir PROJECT`,
    );
  return project;
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): DeployOptions {
  const values = parseOptions(argv, {
    stacks: { type: "string" },
    command: { type: "string" },
    parallel: { type: "string" },
    backend: { type: "string" },
    "lock-wait": { type: "string" },
    dir: { type: "string" },
    "expect-no-changes": { type: "boolean" },
    help: { type: "boolean" },
  });
  if (values.help) throw new UsageError("");
  const opts: DeployOptions = {
    stacks: [],
    command: "up",
    parallel: 0,
    backend: values.backend,
    lockWaitSeconds: 0,
    dir: "",
    expectNoChanges: values["expect-no-changes"] ?? false,
  };
  if (values.stacks !== undefined) {
    opts.stacks = values.stacks.split(",").map((s) => s.trim());
    if (opts.stacks.some((s) => !/^[A-Za-z0-9_.-]+$/.test(s)))
      throw new UsageError(`--stacks: stack names are letters, digits, - _ . (got "${values.stacks}")`);
  }
  if (values.command !== undefined) {
    if (!["up", "preview", "refresh", "destroy"].includes(values.command))
      throw new UsageError(`--command must be up, preview, refresh or destroy (got "${values.command}")`);
    opts.command = values.command as Command;
  }
  if (values.parallel !== undefined) {
    if (!/^\d+$/.test(values.parallel) || Number(values.parallel) < 1)
      throw new UsageError(`--parallel must be a whole number from 1 (got "${values.parallel}")`);
    opts.parallel = Number(values.parallel);
  }
  if (values["lock-wait"] !== undefined) {
    if (!/^\d+$/.test(values["lock-wait"])) throw new UsageError(`--lock-wait must be whole seconds (got "${values["lock-wait"]}")`);
    opts.lockWaitSeconds = Number(values["lock-wait"]);
  }
  if (opts.stacks.length === 0) throw new UsageError("--stacks is required, e.g. --stacks eu,us");
  if (new Set(opts.stacks).size !== opts.stacks.length) throw new UsageError("--stacks names a stack twice");
  if (opts.parallel === 0) opts.parallel = opts.stacks.length;
  // Last: a mistyped option is reported before a missing project.
  opts.dir = values.dir === undefined ? defaultDir(env, cwd) : path.resolve(callerDir("deploy", env, cwd), values.dir);
  return opts;
}

/** A backend URL without its password or query (which may hold `sslpassword=`), for messages: the provider's own redaction. */
export function redactBackend(url: string | undefined): string {
  return url ? redactUrl(url) : "(default backend)";
}

const LOCKED = /the stack is currently locked by|\[409\] Conflict/;
/** The postgres:// backend's race: another runner's lock row vanished between listing and reading it. */
const LOCK_RACE = /NotFound/;

export function isLockContention(text: string): boolean {
  return LOCKED.test(text) || (LOCK_RACE.test(text) && /lock/i.test(text));
}

/** The lines of Pulumi's message that say who holds the lock ("created by user@host (pid N) at T"). */
export function lockHolders(text: string): string[] {
  const holders = new Set<string>();
  for (const line of text.split("\n")) {
    const m = /([0-9a-f-]{36})\.json\S*:\s*(created by .*)$/.exec(line.trim()) ?? /(?:^|\s)()(created by .*)$/.exec(line.trim());
    if (m) holders.add(`${m[2]!.trim()}${m[1] ? ` (lock ${m[1]})` : ""}`);
  }
  return [...holders];
}

export function lockMessage(stack: string, backend: string | undefined, text: string, waitedSeconds: number): string {
  const holders = lockHolders(text);
  const who = holders.length > 0 ? `held by ${holders.join("; ")}` : "held by another update (it was being released or taken as we looked)";
  return (
    `stack ${stack} is locked by another runner (${who})` +
    (waitedSeconds > 0 ? `; waited ${waitedSeconds} s` : "") +
    `. Wait for that update to finish, or run again with --lock-wait SECONDS. If its runner is gone (a killed CI job), ` +
    `clear the stale lock with: PULUMI_BACKEND_URL=${redactBackend(backend)} pulumi cancel --yes --stack ${stack}, ` +
    `then pulumi refresh --yes --stack ${stack} and run this again`
  );
}

/**
 * Pulumi's postgres:// backend runs CREATE TABLE IF NOT EXISTS on every CLI's first connection, and
 * PostgreSQL does not make two of those at once safe: on a new database, runners that start together
 * can fail with a duplicate key in pg_type (23505). The table exists a moment later.
 */
export function isBackendTableRace(text: string): boolean {
  return /failed to create table/.test(text) && /pg_type_typname_nsp_index|\(23505\)/.test(text);
}

function errorText(err: unknown): string {
  const e = err as { message?: string; stderr?: string; commandResult?: { stderr?: string } };
  return [e?.message, e?.commandResult?.stderr, e?.stderr].filter(Boolean).join("\n");
}

/**
 * What a failed CLI run said, without the Automation API's command-line dump: each `error:` line
 * with the lines indented under it (the provider's "configuration is incomplete" lists the missing
 * keys and the commands that set them there), on one line each, postgres:// URLs redacted.
 */
export function conciseError(text: string): string {
  const lines = text.split("\n").filter((l) => !/^\s*(code|stdout|stderr|err\?):/.test(l));
  const blocks: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (!/error|failed|refused|unreachable/i.test(line)) continue;
    const indent = line.search(/\S/);
    const block = [line.trim()];
    while (i + 1 < lines.length && (lines[i + 1] as string).trim() !== "" && (lines[i + 1] as string).search(/\S/) > indent) {
      block.push((lines[++i] as string).trim());
    }
    blocks.push(block.join(" "));
  }
  // A block that another contains says nothing more (the CLI repeats the provider's message in its summary).
  const unique = [...new Set(blocks)].filter((b, _, all) => !all.some((other) => other !== b && other.includes(b)));
  const text1 = unique.length > 0 ? unique.join(" | ") : text.split("\n").slice(0, 3).join(" | ");
  return text1.replace(/postgres(ql)?:\/\/[^\s]*/g, (m) => redactBackend(m));
}

/**
 * The secrets manager's refusals, said as what to export. Pulumi's own words name no stack and, when
 * the passphrase is wrong, not the variable that holds it.
 */
export function passphraseProblem(stack: string, text: string, env: NodeJS.ProcessEnv): string | undefined {
  const set = env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined;
  if (/passphrase must be set with PULUMI_CONFIG_PASSPHRASE/.test(text) || (!set && /passphrase/i.test(text))) {
    return (
      `stack ${stack}'s secrets are protected by a passphrase, and none is set: export PULUMI_CONFIG_PASSPHRASE=<the stack's passphrase> ` +
      `(or PULUMI_CONFIG_PASSPHRASE_FILE=<a file holding it>) and run again`
    );
  }
  if (/incorrect passphrase/.test(text)) {
    const from = env.PULUMI_CONFIG_PASSPHRASE !== undefined ? "PULUMI_CONFIG_PASSPHRASE" : "the file PULUMI_CONFIG_PASSPHRASE_FILE names";
    return (
      `the passphrase in ${from} does not open stack ${stack}'s secrets (incorrect passphrase): export the passphrase ` +
      `the stack was created with, or give each stack its own runner with its own passphrase`
    );
  }
  return undefined;
}

function changesOf(summary: Record<string, number> | undefined): string {
  if (!summary) return "";
  const n = (k: string) => summary[k] ?? 0;
  const text = `+${n("create")} ~${n("update")} -${n("delete")}${n("replace") ? ` ±${n("replace")}` : ""}`;
  return text === "+0 ~0 -0" ? "no changes" : text;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function runStacks(opts: DeployOptions, log: (line: string) => void): Promise<StackResult[]> {
  // The caller's own passphrase, PULUMI_HOME and settings: the dev stack's defaults are npm start's alone.
  const env = callerPulumiEnv(process.env);
  const envVars: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) envVars[k] = v;
  if (opts.backend) envVars.PULUMI_BACKEND_URL = opts.backend;
  const backend = envVars.PULUMI_BACKEND_URL;
  const pulumiCommand = await PulumiCommand.get({ root: path.join(repoRoot(), ".tools"), skipVersionCheck: true }).catch(() =>
    PulumiCommand.get({ skipVersionCheck: true }),
  );

  const queue = [...opts.stacks];
  const results: StackResult[] = [];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) results.push(await runOne(name));
  };

  const runOne = async (name: string): Promise<StackResult> => {
    const started = Date.now();
    // --lock-wait counts from the moment the lock is first met, not from the start: the CLI's own
    // start-up (seconds on a busy runner) must not use up a short wait.
    let lockMet: number | undefined;
    let lockWaits = 0;
    let tableRaces = 0;
    const say = (text: string) => log(`[${name}] ${text}`);
    say(`${opts.command} started`);
    for (;;) {
      let done = 0;
      let lastProgress = 0;
      const onEvent = (event: EngineEvent) => {
        if (event.resOutputsEvent) {
          done++;
          // One line every few seconds at most: four stacks of a hundred resources stay readable.
          if (Date.now() - lastProgress > 3_000) {
            lastProgress = Date.now();
            say(`${done} resources done (${Math.round((Date.now() - started) / 1000)} s)`);
          }
        }
      };
      try {
        const stack: Stack = await LocalWorkspace.createOrSelectStack(
          { stackName: name, workDir: opts.dir },
          { envVars, pulumiCommand },
        ).catch((err: unknown) => {
          // Another runner created it between our select and our init: it exists now, select it.
          if (/already exists/.test(errorText(err)))
            return LocalWorkspace.selectStack({ stackName: name, workDir: opts.dir }, { envVars, pulumiCommand });
          throw err;
        });
        const common = { onEvent, color: "never" as const };
        let changes: string;
        if (opts.command === "up") {
          const r = await stack.up({ ...common, expectNoChanges: opts.expectNoChanges });
          changes = changesOf(r.summary.resourceChanges);
        } else if (opts.command === "preview") {
          const r = await stack.preview({ ...common, expectNoChanges: opts.expectNoChanges });
          changes = changesOf(r.changeSummary);
        } else if (opts.command === "refresh") {
          const r = await stack.refresh({ ...common, expectNoChanges: opts.expectNoChanges });
          changes = changesOf(r.summary.resourceChanges);
        } else {
          const r = await stack.destroy(common);
          changes = changesOf(r.summary.resourceChanges);
        }
        const seconds = (Date.now() - started) / 1000;
        say(`${opts.command} done: ${changes} in ${seconds.toFixed(1)} s`);
        return { stack: name, command: opts.command, ok: true, changes, seconds, error: "", lockWaits };
      } catch (err) {
        const text = errorText(err);
        if (isBackendTableRace(text) && tableRaces < 3) {
          tableRaces++;
          say("the state database's table was being created by another runner at the same moment; trying again");
          await sleep(500 + Math.floor(Math.random() * 1_000));
          continue;
        }
        const locked = isLockContention(text);
        if (locked) lockMet ??= Date.now();
        const deadline = (lockMet ?? 0) + opts.lockWaitSeconds * 1000;
        if (locked && Date.now() < deadline) {
          lockWaits++;
          const wait = Math.min(5_000, 1_000 * lockWaits) + Math.floor(Math.random() * 500);
          say(`locked by another runner; waiting (up to ${Math.ceil((deadline - Date.now()) / 1000)} s more)`);
          await sleep(Math.min(wait, Math.max(0, deadline - Date.now())));
          continue;
        }
        const message = locked
          ? lockMessage(name, backend, text, Math.round((Date.now() - (lockMet ?? Date.now())) / 1000))
          : (passphraseProblem(name, text, envVars) ?? conciseError(text));
        say(`FAILED: ${message}`);
        return {
          stack: name,
          command: opts.command,
          ok: false,
          changes: "",
          seconds: (Date.now() - started) / 1000,
          error: message,
          lockWaits,
        };
      }
    }
  };

  await Promise.all(Array.from({ length: Math.min(opts.parallel, opts.stacks.length) }, worker));
  // The table follows the order the stacks were given in, not the order they finished.
  return opts.stacks.map((s) => results.find((r) => r.stack === s) as StackResult);
}

export function summaryTable(results: StackResult[]): string {
  const header = ["Stack", "Command", "Result", "Changes", "Seconds", "Note"];
  const rows = results.map((r) => [
    r.stack,
    r.command,
    r.ok ? "ok" : "FAILED",
    r.changes,
    r.seconds.toFixed(1),
    r.ok ? (r.lockWaits ? `waited for a lock ${r.lockWaits}x` : "") : r.error,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.slice(0).map((r) => (c === 5 ? 0 : (r[c] ?? "").length))));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, c) => (c === 5 ? cell : c === 4 ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number)))
      .join("  ")
      .trimEnd();
  const failed = results.filter((r) => !r.ok).length;
  return [
    fmt(header),
    fmt(widths.map((w, c) => (c === 5 ? "----" : "-".repeat(w)))),
    ...rows.map(fmt),
    "",
    `${results.length - failed} ok, ${failed} failed`,
  ].join("\n");
}

async function main(argv: readonly string[]): Promise<number> {
  let opts: DeployOptions;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message) process.stderr.write(`deploy: ${err.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const line = (s: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
  line(
    `${opts.command} ${opts.stacks.join(", ")} (${opts.parallel} at once) on ${redactBackend(opts.backend ?? process.env.PULUMI_BACKEND_URL)}`,
  );
  const results = await runStacks(opts, line);
  process.stdout.write(`\n${summaryTable(results)}\n`);
  return results.every((r) => r.ok) ? 0 : 1;
}

if (require.main === module) {
  // `npm run deploy ... | head`: the stacks are deployed all the same, and the exit code still says how.
  ignoreClosedStdout();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`deploy: ${conciseError(err instanceof Error ? err.message : String(err))}\n`);
      process.exitCode = 1;
    },
  );
}
