/**
 * Flaky API: a quarter of the API calls are throttled, some shed with 503, some reset (before the
 * handler, and after it has committed), some stall for two seconds, the token endpoint fails now
 * and then and tokens live 30 s. `pulumi up` of 30 signed channels with load balancer webhooks
 * still succeeds, the next preview has nothing to do, and the emulator holds exactly what was
 * declared: no duplicate from a retried create, no orphan from a lost answer.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { signDefinition } from "../../provider/validation";
import { EmulatorAdmin } from "../support/admin";
import {
  EmulatorProcess,
  chaosSeed,
  freePort,
  inventory,
  issueToken,
  issuedTokenHashes,
  sleep,
  sweepSecrets,
  TOKEN_SHAPE,
} from "../support/chaos";
import { declaration, type Declaration } from "../support/declarations";
import { PulumiProject } from "../support/pulumi-project";

const seed = chaosSeed("flaky-api");
const owner = { clientId: "chaos-flaky", clientSecret: `chaos-flaky-secret-${randomBytes(8).toString("hex")}` };
const webhookSecret = `chaos-webhook-secret-${randomBytes(8).toString("hex")}`;
const signatureKey = `chaos-signing-key-${randomBytes(8).toString("hex")}`;
const ADMIN = `chaos-admin-${randomBytes(4).toString("hex")}`;
const CHANNELS = 30;

function signed(resourceName: string): Declaration {
  const { resourceName: _name, ...definition } = declaration(resourceName);
  return { resourceName, ...definition, signature: signDefinition(definition, signatureKey) };
}

/**
 * Rules are tried in order and the first that fires shapes the request, so each probability is
 * conditional on the earlier rules passing: 0.25 throttled, then 0.05/0.75 of the rest shed.
 */
function faultRules(): [string, Record<string, unknown>][] {
  const rule = (name: string, r: Record<string, unknown>): [string, Record<string, unknown>] => [name, { ...r, seed: seed.int(name) }];
  return [
    rule("token-503", { path: "/oauth/token", status: 503, probability: 0.1 }),
    rule("token-reset", { path: "/oauth/token", reset: true, probability: 0.05 }),
    rule("post-reset-before", { method: "POST", path: "/api/", reset: true, probability: 0.02 }),
    rule("throttle", { path: "/api/", status: 429, retryAfter: 1, probability: 0.25 }),
    rule("shed", { path: "/api/", status: 503, probability: 0.05 / 0.75 }),
    rule("reset-before", { path: "/api/", reset: true, probability: 0.02 }),
    rule("stall", { path: "/api/", delayMs: 2_000, probability: 0.03 }),
    // Committed, then the answer is lost: the case a blind resend turns into a duplicate. The
    // counted rules make sure every run meets it for both kinds of POST, whatever the dice say.
    rule("brand-post-reset-after", { method: "POST", path: "/api/v2/webchat/brands", reset: true, afterHandler: true, count: 2 }),
    rule("webhook-post-reset-after", { method: "POST", path: "/api/v2/webhooks/webhooks", reset: true, afterHandler: true, count: 2 }),
    rule("post-reset-after", { method: "POST", path: "/api/", reset: true, afterHandler: true, probability: 0.05 }),
    rule("reset-after", { path: "/api/", reset: true, afterHandler: true, probability: 0.02 }),
  ];
}

describe("chaos: flaky API through the real Pulumi CLI", () => {
  let tmp: string;
  let emulator: EmulatorProcess;
  let admin: EmulatorAdmin;
  let receiver: RunningReceiver;
  let project: PulumiProject;
  let cliOutput = "";
  const declared = Array.from({ length: CHANNELS }, (_, i) => signed(`flaky-${String(i).padStart(2, "0")}`));

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-chaos-flaky-"));
    emulator = await EmulatorProcess.start({
      port: await freePort(),
      data: path.join(tmp, "emulator.db"),
      client: owner,
      adminToken: ADMIN,
      seed: seed.int("emulator"),
      tokenTtlSeconds: 30,
      // Only the injected faults throttle: the suite measures the client, not the default quota.
      rateLimit: "100000/60s",
      webhookIntervalScale: 0.01,
    });
    admin = new EmulatorAdmin(emulator.url, ADMIN);
    receiver = await startReceiver({ secret: webhookSecret, stateFile: path.join(tmp, "pool.json") });
    project = await PulumiProject.create({
      config: {
        "genesys:apiUrl": emulator.url,
        "genesys:clientId": owner.clientId,
        "genesys:allowPrivateNetworks": "true",
        "lb:callbackUrl": `${receiver.url}/events`,
        "lb:retryCount": "5",
        "lb:retryInterval": "1",
      },
      secrets: { "genesys:clientSecret": owner.clientSecret, "genesys:webhookSecret": webhookSecret, "genesys:signatureKey": signatureKey },
      channels: declared,
    });
  });

  afterAll(async () => {
    await receiver?.close();
    await emulator?.stop();
    project?.cleanup();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("up of 30 signed channels with webhooks succeeds under throttling, shedding, resets, stalls and 30 s tokens", async () => {
    const ruleNames = new Map<string, string>();
    for (const [name, rule] of faultRules()) ruleNames.set((await admin.fault(rule)).id, name);
    const started = Date.now();
    const up = await project.up([], {});
    cliOutput += up.stdout + up.stderr;
    expect(up.code, up.stdout + up.stderr).toBe(0);

    const log = await admin.requests();
    const byRule: Record<string, number> = {};
    for (const r of log) if (r.fault) byRule[ruleNames.get(r.fault) ?? r.fault] = (byRule[ruleNames.get(r.fault) ?? r.fault] ?? 0) + 1;
    const faulted = log.filter((r) => r.fault !== undefined);
    const count = (pred: (r: (typeof log)[number]) => boolean) => log.filter(pred).length;
    const audit = project
      .auditText()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { retries?: number; attempts?: number });
    console.log(
      `flaky up: ${Math.round((Date.now() - started) / 1000)} s, ${log.length} requests, ${count((r) => r.status === 429)} x 429, ` +
        `${count((r) => r.status === 503)} x 503, ${count((r) => r.status === 0)} resets, ${faulted.length} faulted, ` +
        `${await admin.tokensIssued(owner.clientId)} tokens, provider retries ${audit.reduce((n, a) => n + (a.retries ?? 0), 0)}; by rule ${JSON.stringify(byRule)}`,
    );
    expect(count((r) => r.status === 429)).toBeGreaterThan(20);
    expect(byRule["brand-post-reset-after"]).toBe(2);
    expect(byRule["webhook-post-reset-after"]).toBe(2);
  }, 240_000);

  it("the next preview shows no changes", async () => {
    const preview = await project.preview(["--expect-no-changes"]);
    cliOutput += preview.stdout + preview.stderr;
    expect(preview.code, preview.stdout + preview.stderr).toBe(0);
  }, 60_000);

  it("the emulator holds exactly the declared channels and one webhook per channel, and the pool follows", async () => {
    await admin.clearFaults();
    const { brands, webhooks } = await inventory(emulator.url, owner);
    expect(brands.map((b) => b.name).sort()).toEqual(declared.map((d) => d.name).sort());
    expect(webhooks.map((w) => w.name).sort()).toEqual(declared.map((d) => `lb-sync-${d.resourceName}`).sort());
    const idOf = new Map(brands.map((b) => [b.name, b.id]));
    for (const hook of webhooks) {
      const resourceName = hook.name.replace(/^lb-sync-/, "");
      const expected = idOf.get(declared.find((d) => d.resourceName === resourceName)!.name);
      expect(
        hook.eventFilters.every((f) => f.brandId === expected),
        hook.name,
      ).toBe(true);
      expect(hook.hasSecret).toBe(true);
    }
    const deadline = Date.now() + 15_000;
    while (receiver.pool().length !== CHANNELS && Date.now() < deadline) await sleep(100);
    expect(
      receiver
        .pool()
        .map((m) => m.name)
        .sort(),
    ).toEqual(declared.map((d) => d.name).sort());
  });

  it("no secret or access token reaches the state, the CLI output, the audit records or the request log", async () => {
    const own = await issueToken(emulator.url, owner);
    expect(own).toMatch(TOKEN_SHAPE);
    const texts = {
      "stack export": await project.exportState(),
      "CLI output": cliOutput,
      "audit records": project.auditText(),
      "emulator request log": JSON.stringify(await admin.requests()),
    };
    const findings = sweepSecrets(
      texts,
      {
        "client secret": owner.clientSecret,
        "signing key": signatureKey,
        "webhook secret": webhookSecret,
        "a token issued to this client": own,
      },
      issuedTokenHashes(emulator.opts.data),
    );
    expect(findings).toEqual([]);
  }, 60_000);
});
