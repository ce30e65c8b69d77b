/**
 * Team mode through the provider plugin: a YAML program with two explicit providers (two plugin
 * processes, two OAuth clients of one org) whose inputs name one PostgreSQL for the shared rate budget
 * (coordinationUrl) and the audit trail (auditUrl). Both processes draw from the org's one budget
 * row, and their audit records form one chain that `npm run audit -- verify --url` accepts.
 */
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { initAuditSchema } from "../../provider/audit";
import { type ThrowawayPostgres, startPostgres } from "../../scripts/postgres";
import { YamlProject } from "../support/yaml-project";
import { auditCli } from "./audit-cli";
import { ADMIN, emulatorRequests } from "./support";

const clients = {
  a: { clientId: "plugin-team-a", clientSecret: "plugin-team-a-secret-2f81" },
  b: { clientId: "plugin-team-b", clientSecret: "plugin-team-b-secret-c93d" },
};
type Runner = keyof typeof clients;
const CHANNELS_PER_PROVIDER = 2;

async function query<T>(url: string, statement: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(statement)).rows as T[];
  } finally {
    await client.end();
  }
}

describe("team mode through the provider plugin: two provider instances share PostgreSQL pacing and audit", () => {
  let pg: ThrowawayPostgres;
  let emulator: RunningEmulator;
  let teamUrl: string;
  let project: YamlProject;

  beforeAll(async () => {
    pg = await startPostgres();
    emulator = await startEmulator({
      port: 0,
      data: ":memory:",
      clients: Object.values(clients),
      adminToken: ADMIN,
      quiet: true,
    });
    teamUrl = await pg.createDatabase("genesys_team");
    await initAuditSchema(teamUrl);
    project = YamlProject.create("plugin-team");
    const resources: Record<string, unknown> = {};
    for (const runner of Object.keys(clients) as Runner[]) {
      resources[`org${runner}`] = {
        type: "pulumi:providers:genesys",
        properties: {
          apiUrl: emulator.url,
          clientId: clients[runner].clientId,
          clientSecret: { "fn::secret": clients[runner].clientSecret },
          allowPrivateNetworks: true,
          useEnvironment: false,
          healthTimeoutSeconds: 600,
          coordinationUrl: { "fn::secret": teamUrl },
          auditUrl: { "fn::secret": teamUrl },
          // One window for the whole run, wide enough never to make a call wait: the budget's rows
          // then count every call of the run.
          maxRequestsPerSecond: 50,
          orgMaxRequestsPerSecond: 50,
          rateWindowSeconds: 600,
        },
      };
      for (let i = 0; i < CHANNELS_PER_PROVIDER; i++) {
        resources[`channel${runner}${i}`] = {
          type: "genesys:index:WebMessagingChannel",
          properties: {
            name: `Team ${runner} channel ${i}`,
            endpointUrl: `wss://localhost:9443/team-${runner}-${i}`,
            allowedOrigins: ["https://team.example.com"],
            channelTypes: ["webmessaging"],
            settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50 },
          },
          options: { provider: `\${org${runner}}` },
        };
      }
    }
    project.writeResources(resources);
    await project.ok(["stack", "init"], "team");
  });

  afterAll(async () => {
    await emulator?.close();
    await pg?.destroy();
    project?.cleanup();
  });

  it("up: both plugin processes draw from the org's one budget row, and their audit trail is one verified chain", async () => {
    await project.ok(["up", "--yes", "--skip-preview"], "team");

    const apiCalls = (await emulatorRequests(emulator.url)).filter((r) => r.path.startsWith("/api/"));
    const callsOf = (runner: Runner) => apiCalls.filter((r) => r.clientId === clients[runner].clientId).length;
    expect(callsOf("a")).toBeGreaterThan(0);
    expect(callsOf("b")).toBeGreaterThan(0);
    expect(callsOf("a") + callsOf("b")).toBe(apiCalls.length);
    const budget = new Map(
      (await query<{ key: string; points: number }>(teamUrl, "SELECT key, points FROM genesys_rate_budget")).map((r) => [r.key, r.points]),
    );
    const host = new URL(emulator.url).host;
    // Each client's own row counts its process's calls; the org's row counts both processes' calls.
    expect(budget.get(`genesys:client:${host}:${clients.a.clientId}`)).toBe(callsOf("a"));
    expect(budget.get(`genesys:client:${host}:${clients.b.clientId}`)).toBe(callsOf("b"));
    expect(budget.get(`genesys:org:${host}`)).toBe(apiCalls.length);

    const records = (await query<{ record: string }>(teamUrl, "SELECT record FROM genesys_audit ORDER BY seq")).map(
      (r) => JSON.parse(r.record) as { action: string; resourceName: string; outcome: string },
    );
    const creates = records
      .filter((r) => r.action === "create" && r.outcome === "success")
      .map((r) => r.resourceName)
      .sort();
    expect(creates).toEqual(["Team a channel 0", "Team a channel 1", "Team b channel 0", "Team b channel 1"]);
    const verify = await auditCli(["verify", "--url", teamUrl]);
    expect(verify.stderr).toBe("");
    expect(verify.stdout).toMatch(new RegExp(`^OK: ${records.length} records in 1 files, chain intact`));

    // The database password reaches neither the state nor the trail.
    const password = new URL(teamUrl).password;
    expect(password.length).toBeGreaterThan(0);
    expect((await project.ok(["stack", "export", "--show-secrets=false"], "team")).stdout).not.toContain(password);
    expect(JSON.stringify(records)).not.toContain(password);
  });

  it("destroy: both processes' deletes join the same chain, which still verifies", async () => {
    await project.ok(["destroy", "--yes", "--skip-preview"], "team");
    const records = (await query<{ record: string }>(teamUrl, "SELECT record FROM genesys_audit ORDER BY seq")).map(
      (r) => JSON.parse(r.record) as { action: string; resourceName: string; outcome: string },
    );
    const deletes = records
      .filter((r) => r.action === "delete" && r.outcome === "success")
      .map((r) => r.resourceName)
      .sort();
    expect(deletes).toEqual(["Team a channel 0", "Team a channel 1", "Team b channel 0", "Team b channel 1"]);
    const verify = await auditCli(["verify", "--url", teamUrl]);
    expect(verify.stderr).toBe("");
    expect(verify.stdout).toMatch(new RegExp(`^OK: ${records.length} records in 1 files, chain intact`));
  });
});
