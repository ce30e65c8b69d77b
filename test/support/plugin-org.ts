/**
 * One org for a program that uses the provider plugin: an emulator standing for Genesys Cloud and
 * the reference load balancer receiver its webhook delivers to, with what the tests read back.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { createGenesysClient } from "../../provider/genesys";
import { EmulatorAdmin } from "./admin";
import type { CliResult } from "./pulumi-project";
import { WEB_DEPLOYMENT_TIMING } from "./web-deployments";

export interface OrgCredentials {
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
}

export interface Inventory {
  brands: number;
  webhooks: number;
  configurations: number;
  deployments: number;
}

export class PluginOrg {
  private constructor(
    readonly credentials: OrgCredentials,
    readonly emulator: RunningEmulator,
    readonly receiver: RunningReceiver,
    readonly admin: EmulatorAdmin,
  ) {}

  static async start(credentials: OrgCredentials, dir: string, adminToken: string): Promise<PluginOrg> {
    const emulator = await startEmulator({
      port: 0,
      data: ":memory:",
      clients: [credentials],
      adminToken,
      quiet: true,
      webDeployments: WEB_DEPLOYMENT_TIMING,
    });
    const receiver = await startReceiver({ secret: credentials.webhookSecret, stateFile: path.join(dir, "pool.json") });
    return new PluginOrg(credentials, emulator, receiver, new EmulatorAdmin(emulator.url, adminToken));
  }

  /** How many of each object the org holds, read through the API. */
  async inventory(): Promise<Inventory> {
    const client = createGenesysClient({ apiUrl: this.emulator.url, ...this.credentials, policy: { baseDelayMs: 1 } });
    const count = async (listPath: string) =>
      (await client.transport.request<{ entities: unknown[] }>({ operation: "list", method: "GET", path: listPath })).data.entities.length;
    return {
      brands: await count("/api/v2/webchat/brands"),
      webhooks: await count("/api/v2/webhooks/webhooks"),
      configurations: await count("/api/v2/webdeployments/configurations"),
      deployments: await count("/api/v2/webdeployments/deployments"),
    };
  }

  /** The channels enrolled with the load balancer, by name. */
  async poolMembers(): Promise<string[]> {
    const pool = (await (await fetch(`${this.receiver.url}/pool`)).json()) as { members: { name: string }[] };
    return pool.members.map((m) => m.name);
  }

  async close(): Promise<void> {
    await this.receiver.close();
    await this.emulator.close();
  }
}

/** Runs a command to its end (killed after timeoutMs), collecting its output. */
export function runCommand(
  command: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 240_000);
    // A missing executable (go, python3) is named, with the fix.
    child.on("error", (err) =>
      reject(new Error(`${command} could not be run (is it installed and on PATH?): ${err.message}`, { cause: err })),
    );
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
