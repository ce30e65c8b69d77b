/**
 * Adoption of an exported org through the real CLI, following the generated README literally, in
 * whichever language the export wrote: the org is built through Genesys's JS SDK in an in-process
 * emulator, `npm run export` writes the project, and in that folder the README's Adopt block
 * (`npm install` for TypeScript, `pulumi stack init`, the config it lists, `pulumi up`) adopts it
 * with only GET and token calls (the emulator's request log). Then `preview --expect-no-changes`
 * passes, `refresh` writes nothing, an edit of one deployment in the program is exactly one PUT,
 * and `destroy` removes what the stack manages. The org's signed webhook delivers to a running
 * load balancer (the reference receiver): adopting it sends that load balancer nothing, and
 * `destroy` deletes the webhook.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../cli/export";
import type { Language } from "../../cli/export/render";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { pulumiEnv, repoRoot } from "../../scripts/pulumi-env";
import { start, type Harness } from "../emulator/helpers";
import { run } from "../support/consumer-project";
import { CLI_TESTS, type CliResult } from "../support/pulumi-project";
import { SECRET, WEBHOOK_SECRET, buildSdkOrg } from "./sdk-org";

const STACK = "adopted";

/** Commands of the README that run the program (the others only touch the stack's settings). */
const PROGRAM_COMMANDS = new Set(["up", "preview", "refresh", "destroy"]);

export interface AdoptionCase {
  language: Language;
  /** The file holding the program, under the exported folder. */
  program: string;
  /** The program with "checkout.example.com" added after "shop.example.com" in Shop's allowed domains. */
  addDomain(source: string): string;
  /** Runs before the README is followed (and again after the edit): e.g. builds what runs the program. */
  prepare?(dir: string): Promise<void>;
  /**
   * Runs a program command (`up --yes`, `preview --expect-no-changes`, ...) in place of the pulumi
   * CLI, for a language whose host is not installed; the CLI itself when absent.
   */
  runProgram?(args: string[], dir: string, env: NodeJS.ProcessEnv): Promise<CliResult>;
}

interface Logged {
  method: string;
  path: string;
}

/** The shell block under the README's "## Adopt" heading, one command a line, comments dropped. */
function adoptSteps(readme: string): string[] {
  const section = readme.slice(readme.indexOf("## Adopt"));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  expect(block).not.toBeNull();
  return block![1]!
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter(Boolean);
}

// About fifteen CLI and npm runs in one test: twice CLI_TESTS' budget, for a loaded two-core machine.
const TIMEOUT = { timeout: 2 * CLI_TESTS.timeout };

export function describeAdoption(c: AdoptionCase): void {
  describe(`an org exported in ${c.language}, adopted by following the generated README with the real CLI`, TIMEOUT, () => {
    let h: Harness;
    let lb: RunningReceiver;
    let ids: Record<string, string> = {};
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `gwm-adopt-${c.language}-`));
    const dir = path.join(tmp, "acme-org");
    const env = pulumiEnv({ backendDir: path.join(tmp, "state"), pulumiHome: path.join(repoRoot(), ".pulumi-home") });
    // npm as a user runs it, not as the npm that may have started this test (its npm_* variables
    // describe this checkout); offline: every package is already in the cache from this checkout's install.
    const npmEnv = {
      ...Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key))),
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
    };

    const pulumi = (args: string[]): Promise<CliResult> =>
      c.runProgram && PROGRAM_COMMANDS.has(args[0]!)
        ? c.runProgram(args, dir, env)
        : run("pulumi", ["--non-interactive", ...args], { cwd: dir, env, timeoutMs: 240_000 });
    const requests = async (): Promise<Logged[]> => (await h.admin("GET", "/requests")).json.requests as Logged[];
    const writes = async (): Promise<string[]> =>
      (await requests()).filter((r) => r.method !== "GET" && r.path !== "/oauth/token").map((r) => `${r.method} ${r.path.split("?")[0]}`);
    const describeRun = (r: CliResult) => `exit ${r.code}\n${r.stdout}\n${r.stderr}`;

    beforeAll(async () => {
      h = await start({
        rateLimit: { requests: 100_000, perSeconds: 60 },
        clients: [{ clientId: "dev-client", clientSecret: SECRET }],
        webDeployments: { activationDelayMs: 20, deletionDelayMs: 20, draftSettleMs: 20 },
      });
      lb = await startReceiver({ secret: WEBHOOK_SECRET, log: () => {} });
      ids = await buildSdkOrg(h, { webhookUri: `${lb.url}/events` });
      let stdout = "";
      const code = await main(["--out", dir, "--language", c.language, "--api-url", h.url, "--client-id", "dev-client"], {
        stdout: { write: (chunk: string) => (stdout += chunk) },
        stderr: { write: (chunk: string) => process.stderr.write(chunk) },
        env: { GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET },
      });
      expect(code, stdout).toBe(0);
      await c.prepare?.(dir);
    }, 900_000);
    afterAll(async () => {
      await h?.close();
      await lb?.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("adopts with 0 writes, previews clean, refreshes without writing, applies one edit as one PUT, and destroys", async () => {
      const steps = adoptSteps(fs.readFileSync(path.join(dir, "README.md"), "utf8"));
      expect(steps.filter((s) => s.startsWith("npm "))).toEqual(c.language === "typescript" ? ["npm install"] : []);
      expect(steps).toContain("pulumi up");
      await h.admin("DELETE", "/requests");
      for (const step of steps) {
        const [command, ...args] = step.replace("<stack>", STACK).split(/\s+/);
        if (command === "npm") {
          const installed = await run("npm", args, { cwd: dir, env: npmEnv, timeoutMs: 240_000 });
          expect(installed.code, describeRun(installed)).toBe(0);
          continue;
        }
        expect(command).toBe("pulumi");
        // The README's prompts and confirmations, answered as a user would at a terminal.
        if (args[0] === "config" && args.includes("--secret") && args.length === 4) {
          args.push(args[3] === "genesys:webhookSecret" ? WEBHOOK_SECRET : SECRET);
        }
        if (args[0] === "up") args.push("--yes");
        const result = await pulumi(args);
        expect(result.code, `${step}: ${describeRun(result)}`).toBe(0);
      }
      // Adoption, and the preview the README ends with, only read; the webhook's load balancer is sent nothing.
      expect(await writes()).toEqual([]);
      expect(steps).toContain("pulumi config set --secret genesys:webhookSecret");
      expect((await requests()).some((r) => r.method === "GET" && r.path === `/api/v2/webhooks/webhooks/${ids.webhook}`)).toBe(true);
      expect(lb.pool()).toEqual([]);
      expect((await requests()).some((r) => r.method === "GET" && r.path.startsWith("/api/v2/webdeployments/deployments/"))).toBe(true);

      const state = (await run("pulumi", ["--non-interactive", "stack", "export", "--stack", STACK], { cwd: dir, env })).stdout;
      expect(state).not.toContain(SECRET);
      expect(state).not.toContain(WEBHOOK_SECRET);
      // Careers is adopted at its published version; its draft, ahead of it, is kept and reported.
      const resources = JSON.parse(state).deployment.resources as { type: string; id?: string; outputs?: Record<string, unknown> }[];
      expect(resources.filter((r) => Object.values(ids).includes(r.id ?? ""))).toHaveLength(3 + 1 + 1);
      const careers = resources.find((r) => r.id === ids.Careers);
      expect(careers?.outputs).toMatchObject({ version: "1", unpublishedChanges: true, keepUnpublishedDraft: true });

      const refreshed = await pulumi(["refresh", "--yes", "--stack", STACK]);
      expect(refreshed.code, describeRun(refreshed)).toBe(0);
      expect(await writes()).toEqual([]);
      const clean = await pulumi(["preview", "--expect-no-changes", "--stack", STACK]);
      expect(clean.code, describeRun(clean)).toBe(0);

      // One edit in the program: exactly one write, to that deployment.
      const program = path.join(dir, c.program);
      const before = fs.readFileSync(program, "utf8");
      const edited = c.addDomain(before);
      expect(edited).not.toBe(before);
      fs.writeFileSync(program, edited);
      await c.prepare?.(dir);
      await h.admin("DELETE", "/requests");
      const up = await pulumi(["up", "--yes", "--skip-preview", "--stack", STACK]);
      expect(up.code, describeRun(up)).toBe(0);
      const shop = (await requests()).find((r) => r.method === "PUT");
      expect(await writes()).toEqual([`PUT ${shop?.path}`]);
      const token = await h.token("dev-client", SECRET);
      const careersDraft = await h.api("GET", `/api/v2/webdeployments/configurations/${ids.Careers}/versions/draft`, { token });
      expect(careersDraft.json.messenger.styles.primaryColor).toBe("#999999");
      const deployments = (await h.api("GET", "/api/v2/webdeployments/deployments", { token })).json.entities as {
        id: string;
        name: string;
        allowedDomains?: string[];
      }[];
      const shopNow = deployments.find((d) => d.name === "Shop");
      expect(shop?.path).toBe(`/api/v2/webdeployments/deployments/${shopNow?.id}`);
      expect(shopNow?.allowedDomains).toEqual(["shop.example.com", "checkout.example.com"]);

      const destroyed = await pulumi(["destroy", "--yes", "--stack", STACK]);
      expect(destroyed.code, describeRun(destroyed)).toBe(0);
      const left = (await h.api("GET", "/api/v2/webdeployments/deployments", { token })).json.entities as unknown[];
      expect(left).toEqual([]);
      const configurations = (await h.api("GET", "/api/v2/webdeployments/configurations", { token })).json.entities as unknown[];
      expect(configurations).toEqual([]);
      // The webhook was adopted: destroy deletes it.
      const webhooks = (await h.api("GET", "/api/v2/webhooks/webhooks", { token })).json.entities as { name: string }[];
      expect(webhooks).toEqual([]);
    });
  });
}
