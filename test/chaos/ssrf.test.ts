/**
 * Hostile endpoints through the real CLI, on a stack that does not allow private networks:
 * channel endpoints and webhook callbacks aimed at the cloud metadata service, a 10.0.0.0/8
 * address, IPv6 loopback, `localhost`, an IPv4-mapped private address, or a host name that the
 * system resolver maps to loopback, are refused before any channel or webhook is created, and an
 * update that re-points a live channel at one is refused before the API is asked.
 *
 * Offline there is no public DNS (no `localtest.me`), so the resolving case uses a name from
 * /etc/hosts that maps to a non-public address (here `vm`/`runsc` -> 127.0.0.1), or the machine's
 * own name, found at run time; a machine with neither fails the suite rather than skip the case.
 * No request leaves 127.0.0.1: every refused address is refused before a connection, and the
 * accepted channel's public IP literal is only health-probed by the emulator's simulation.
 */
import { randomBytes } from "node:crypto";
import * as dns from "node:dns/promises";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ipaddr from "ipaddr.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { startReceiver, type RunningReceiver } from "../../lb-receiver/server";
import { EmulatorAdmin } from "../support/admin";
import { chaosSeed, inventory, issueToken, issuedTokenHashes, sweepSecrets } from "../support/chaos";
import { declaration } from "../support/declarations";
import { PulumiProject, type CliResult } from "../support/pulumi-project";

const seed = chaosSeed("ssrf");
const owner = { clientId: "chaos-ssrf", clientSecret: `chaos-ssrf-secret-${randomBytes(8).toString("hex")}` };
const webhookSecret = `chaos-ssrf-webhook-${randomBytes(8).toString("hex")}`;
const ADMIN = `chaos-admin-${randomBytes(4).toString("hex")}`;
/** Public and never contacted: the emulator simulates its health probe. */
const PUBLIC_ENDPOINT = "wss://93.184.215.14/chat";

/**
 * A host name other than localhost that the system resolver maps only to non-public addresses:
 * one from /etc/hosts, else the machine's own name (which resolves to a loopback or private
 * address on almost every machine).
 */
async function resolvingAlias(): Promise<{ name: string; address: string } | undefined> {
  const text = fs.existsSync("/etc/hosts") ? fs.readFileSync("/etc/hosts", "utf8") : "";
  const candidates: string[] = [];
  for (const line of text.split("\n")) {
    const [address, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (!address || !ipaddr.isValid(address) || ipaddr.parse(address).range() === "unicast") continue;
    candidates.push(...names.filter((n) => n !== "localhost" && !n.endsWith(".localhost") && /^[a-z0-9.-]+$/i.test(n)));
  }
  candidates.push(os.hostname());
  for (const name of candidates) {
    const found = await dns.lookup(name, { all: true }).catch(() => []);
    if (found.length > 0 && found.every((a) => ipaddr.process(a.address).range() !== "unicast"))
      return { name, address: found[0]!.address };
  }
  return undefined;
}

/** The CLI's diagnostics for one resource: the lines after its "<type> (<name>):" header. */
function diagnosticsOf(output: string, resourceName: string): string {
  const start = output.indexOf(`(${resourceName}):`);
  return start < 0 ? "" : output.slice(start, start + 600);
}

describe("chaos: SSRF targets are refused through the real CLI", () => {
  let tmp: string;
  let dataFile: string;
  let emulator: RunningEmulator;
  let admin: EmulatorAdmin;
  let receiver: RunningReceiver;
  let project: PulumiProject;
  let cliOutput = "";
  let alias: string;
  let aliasAddress: string;
  const record = (r: CliResult) => {
    cliOutput += r.stdout + r.stderr;
    return r;
  };

  beforeAll(async () => {
    const found = await resolvingAlias();
    if (!found)
      throw new Error(
        "ssrf: no host name other than localhost resolves to a non-public address on this machine (neither an /etc/hosts " +
          "entry nor the machine's own name), so the resolving case cannot run; add one to /etc/hosts",
      );
    ({ name: alias, address: aliasAddress } = found);
    console.log(`ssrf: the resolving host name case uses "${alias}" (${aliasAddress})`);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-chaos-ssrf-"));
    dataFile = path.join(tmp, "emulator.db");
    emulator = await startEmulator({
      port: 0,
      data: dataFile,
      clients: [owner],
      adminToken: ADMIN,
      seed: seed.int("emulator"),
      quiet: true,
    });
    admin = new EmulatorAdmin(emulator.url, ADMIN);
    receiver = await startReceiver({ secret: webhookSecret });
    project = await PulumiProject.create({
      // genesys:allowPrivateNetworks is deliberately unset.
      config: { "genesys:apiUrl": emulator.url, "genesys:clientId": owner.clientId },
      secrets: { "genesys:clientSecret": owner.clientSecret, "genesys:webhookSecret": webhookSecret },
    });
  });

  afterAll(async () => {
    await receiver?.close();
    await emulator?.close();
    project?.cleanup();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const posts = async (prefix: string) => (await admin.requests()).filter((r) => r.method === "POST" && r.path.startsWith(prefix));

  it("channel endpoints at metadata, private, loopback and loopback-resolving hosts are refused at create, and no channel is created", async () => {
    const hostile: Record<string, string> = {
      metadata: "wss://169.254.169.254/latest/meta-data",
      "private-10": "wss://10.0.0.8/chat",
      "ipv6-loopback": "wss://[::1]:9443/chat",
      localhost: "wss://localhost:9443/chat",
      "mapped-private": "wss://[::ffff:10.0.0.8]/chat",
      "hosts-alias": `wss://${alias}:9443/chat`,
    };
    await project.declareChannels(Object.entries(hostile).map(([name, endpointUrl]) => declaration(name, { endpointUrl })));
    const up = record(await project.up(["--continue-on-error"]));
    expect(up.code, up.stdout).not.toBe(0);
    for (const name of Object.keys(hostile)) {
      const diagnostics = diagnosticsOf(up.stdout, name);
      expect(diagnostics, `${name}:\n${up.stdout}`).toMatch(/channel endpoint refused/);
      expect(diagnostics, name).toMatch(/endpointUrl/);
    }
    expect(diagnosticsOf(up.stdout, "metadata")).toMatch(/metadata service/);
    expect(diagnosticsOf(up.stdout, "hosts-alias")).toContain(`"${alias}" resolves to ${aliasAddress}, a `);
    expect(await posts("/api/v2/webchat/brands")).toEqual([]);
    expect((await inventory(emulator.url, owner)).brands).toEqual([]);
  }, 120_000);

  it("webhook callbacks at metadata, private, loopback and loopback-resolving hosts are refused at create, and no webhook is created", async () => {
    await project.declareChannels([declaration("public", { endpointUrl: PUBLIC_ENDPOINT })]);
    const port = new URL(receiver.url).port;
    const hostile = [
      "https://169.254.169.254/latest/api/token",
      "https://10.0.0.8/sync",
      "https://[::1]:8443/sync",
      `http://localhost:${port}/events`,
      `https://${alias}:${port}/events`,
    ];
    for (const callbackUrl of hostile) {
      await project.setConfig("lb:callbackUrl", callbackUrl);
      const up = record(await project.up());
      expect(up.code, `${callbackUrl}:\n${up.stdout}`).not.toBe(0);
      expect(diagnosticsOf(up.stdout, "public-lb-sync"), callbackUrl).toMatch(/webhook callback refused:[\s\S]*callbackUrl/);
    }
    expect(await posts("/api/v2/webhooks/webhooks")).toEqual([]);
    const { brands, webhooks } = await inventory(emulator.url, owner);
    expect(brands.map((b) => b.endpointUrl)).toEqual([PUBLIC_ENDPOINT]);
    expect(webhooks).toEqual([]);
    expect(receiver.pool()).toEqual([]);
  }, 180_000);

  it("an update that re-points a live channel at a private address is refused before the API is asked", async () => {
    await project.cli(["config", "rm", "--stack", project.stack, "lb:callbackUrl"], { check: true });
    await admin.clearRequests();
    await project.declareChannels([declaration("public", { endpointUrl: "wss://10.20.30.40/chat" })]);
    const up = record(await project.up());
    expect(up.code, up.stdout).not.toBe(0);
    expect(diagnosticsOf(up.stdout, "public")).toMatch(/channel endpoint refused:[\s\S]*10\.20\.30\.40, a private-network address/);
    expect((await admin.requests()).filter((r) => r.method === "PUT")).toEqual([]);
    expect((await inventory(emulator.url, owner)).brands.map((b) => b.endpointUrl)).toEqual([PUBLIC_ENDPOINT]);
  }, 120_000);

  it("no secret or access token reaches the state, the CLI output, the audit records or the request log", async () => {
    const own = await issueToken(emulator.url, owner);
    const findings = sweepSecrets(
      {
        "stack export": await project.exportState(),
        "CLI output": cliOutput,
        "audit records": project.auditText(),
        "emulator request log": JSON.stringify(await admin.requests()),
      },
      { "client secret": owner.clientSecret, "webhook secret": webhookSecret, "a token issued to this client": own },
      issuedTokenHashes(dataFile),
    );
    expect(findings).toEqual([]);
  }, 60_000);
});
