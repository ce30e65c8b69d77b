/**
 * Where the user was when they ran a command. `npm run X` starts the script in the package root and
 * keeps the caller's folder in INIT_CWD; the shell commands a CLI prints (`pulumi stack init ...`)
 * run where the user is, so paths and the project must be taken from there too.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The caller's folder: INIT_CWD when `npm run <script>` started this process (npm_lifecycle_event
 * names the script), the working directory otherwise. A process spawned from some other npm script
 * inherits that script's INIT_CWD, which says nothing about where this command was meant to run.
 */
export function callerDir(script: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  return env.npm_lifecycle_event === script && env.INIT_CWD ? path.resolve(env.INIT_CWD) : cwd;
}

const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.yml", "Pulumi.json"];

/** The Pulumi project a `pulumi` command run in `dir` uses: the nearest folder at or above it with a Pulumi.yaml, as the CLI looks. */
export function pulumiProjectOf(dir: string): string | undefined {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (PROJECT_FILES.some((f) => fs.existsSync(path.join(at, f)))) return at;
    if (path.dirname(at) === at) return undefined;
  }
}
