/**
 * vitest globalSetup: the suites must clean up what they start. Every process a test starts
 * (CLI, language host, dynamic provider, emulator and receiver child processes, npm) inherits
 * this run's marker through its environment; after the last test, any process still carrying it
 * fails the run, named, and is killed so that it does not outlive the run either.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { canListProcesses, describeProcesses, environmentOf, killQuietly, listProcesses, type ProcessInfo } from "./processes";

export const RUN_MARKER = "GWM_TEST_RUN";

/**
 * A killed CLI's plugins take a few seconds to notice that their engine is gone. The test of this
 * check itself shortens the wait through GWM_LEFTOVER_GRACE_MS.
 */
const GRACE_MS = Number(process.env.GWM_LEFTOVER_GRACE_MS) || 30_000;

function leftovers(marker: string): ProcessInfo[] {
  return listProcesses().filter(
    (p) =>
      p.pid !== process.pid &&
      // vitest's own workers, if still shutting down, are not something a test started
      !(p.ppid === process.pid && p.argv.some((arg) => arg.includes("vitest"))) &&
      environmentOf(p.pid, RUN_MARKER) === marker,
  );
}

/**
 * The JSON report (.ci/run counts tests from it) is written before this teardown runs: mark it as
 * a run that did not succeed, so a summary made from it does not read as all green.
 */
function markJsonReportFailed(project: TestProject | undefined): void {
  const outputFile = project?.config.outputFile;
  const json = typeof outputFile === "string" ? outputFile : outputFile?.json;
  if (!json) return;
  const file = path.resolve(project!.config.root, json);
  if (!fs.existsSync(file)) return;
  try {
    const report = JSON.parse(fs.readFileSync(file, "utf8")) as { success?: boolean };
    fs.writeFileSync(file, JSON.stringify({ ...report, success: false }));
  } catch {
    // not a report we can read: the exit code still says it
  }
}

export default function setup(project?: TestProject): () => Promise<void> {
  const marker = randomUUID();
  // Set before vitest forks its workers, which pass their environment on to what they spawn.
  process.env[RUN_MARKER] = marker;
  return async () => {
    if (!canListProcesses) return;
    const deadline = Date.now() + GRACE_MS;
    let left = leftovers(marker);
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      left = leftovers(marker);
    }
    if (left.length === 0) return;
    for (const p of left) killQuietly(p.pid);
    // vitest reports an error thrown here but would still exit with 0.
    process.exitCode = 1;
    markJsonReportFailed(project);
    throw new Error(
      `${left.length} process(es) started by the tests were still running ${GRACE_MS / 1000} s after the last test ` +
        `(now killed); the test that starts them must stop them:\n${describeProcesses(left)}`,
    );
  };
}
