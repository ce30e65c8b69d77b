/**
 * `node dist/bench/team.js [--channels 25] [--runners 4]`: four runners `up` four stacks against one
 * org-wide limit (the emulator's --org-rate-limit, 20 per 5 s), first sharing one budget through
 * PostgreSQL (team mode), then each pacing alone at the org's rate as a single runner would. Reports
 * API calls, responses 429, wall time (first to last API call) and its ratio to the floor the limit
 * sets (successful calls / rate), then one JSON line. Needs PostgreSQL (scripts/postgres.ts installs
 * and starts a throwaway one) and the Pulumi toolchain. Not part of `npm run bench`.
 */
import { type RunningEmulator, startEmulator } from "../emulator";
import { initAuditSchema } from "../provider/audit";
import { type ThrowawayPostgres, startPostgres } from "../scripts/postgres";
import { ADMIN, CLIENT, TeamProject, channelsFor, emulatorRequests } from "../test/team/support";

const RATE = 4;
const WINDOW = 5;

interface Result {
  mode: "shared" | "alone";
  ok: boolean;
  calls: number;
  throttled: number;
  wallS: number;
  floorS: number;
  ratio: number;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function scenario(pg: ThrowawayPostgres, mode: Result["mode"], runners: number, channels: number): Promise<Result> {
  let emulator: RunningEmulator | undefined;
  let project: TeamProject | undefined;
  try {
    emulator = await startEmulator({
      clients: [{ clientId: CLIENT.id, clientSecret: CLIENT.secret }],
      adminToken: ADMIN,
      quiet: true,
      rateLimit: { requests: 100_000, perSeconds: 60 },
      orgRateLimit: { requests: RATE * WINDOW, perSeconds: WINDOW },
    });
    const state = await pg.createDatabase(`state_${mode}`);
    const team = await pg.createDatabase(`team_${mode}`);
    await initAuditSchema(team);
    project = new TeamProject(state, mode === "shared" ? { GENESYS_COORDINATION_URL: team } : {});
    const config: Record<string, string> = { "genesys:apiUrl": emulator.url, "genesys:allowPrivateNetworks": "true" };
    if (mode === "shared")
      Object.assign(config, { "genesys:orgMaxRequestsPerSecond": String(RATE), "genesys:rateWindowSeconds": String(WINDOW) });
    // Alone, each runner keeps the org's rate as if it were the only one: what per-process pacing can do.
    else config["genesys:maxRequestsPerSecond"] = String(RATE);
    const stacks = Array.from({ length: runners }, (_, i) => `r${i}`);
    for (const s of stacks) project.declareStack(s, channelsFor(`${mode}-${s}`, channels), config);
    const run = await project.deploy(["--stacks", stacks.join(","), "--parallel", String(runners)], { timeoutMs: 1_200_000 });
    process.stderr.write(
      run.stdout
        .split("\n")
        .slice(-runners - 4)
        .join("\n") + "\n",
    );
    const requests = (await emulatorRequests(emulator.url)).filter((r) => r.path.startsWith("/api/"));
    const times = requests.map((r) => Date.parse(r.time)).sort((a, b) => a - b);
    const throttled = requests.filter((r) => r.status === 429).length;
    const wallS = (times[times.length - 1]! - times[0]!) / 1000;
    const floorS = (requests.length - throttled) / RATE;
    return { mode, ok: run.code === 0, calls: requests.length, throttled, wallS, floorS, ratio: Math.round((wallS / floorS) * 100) / 100 };
  } finally {
    await emulator?.close();
    project?.cleanup();
  }
}

async function main(): Promise<void> {
  const runners = arg("runners", 4);
  const channels = arg("channels", 25);
  const pg = await startPostgres();
  try {
    const results: Result[] = [];
    for (const mode of ["shared", "alone"] as const) {
      process.stderr.write(`[bench team] ${runners} runners x ${channels} channels, ${mode} ...\n`);
      results.push(await scenario(pg, mode, runners, channels));
    }
    process.stdout.write("\nmode    ok   API calls  429s  wall s  floor s  ratio\n");
    for (const r of results) {
      process.stdout.write(
        `${r.mode.padEnd(6)}  ${String(r.ok).padEnd(5)}  ${String(r.calls).padStart(8)}  ${String(r.throttled).padStart(4)}  ${r.wallS.toFixed(1).padStart(6)}  ${r.floorS.toFixed(1).padStart(7)}  ${r.ratio.toFixed(2).padStart(5)}\n`,
      );
    }
    process.stdout.write(`${JSON.stringify({ bench: "team", runners, channels, rate: RATE, windowS: WINDOW, results })}\n`);
  } finally {
    await pg.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench team: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
