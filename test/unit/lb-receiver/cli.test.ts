/**
 * The receiver's CLI as a user runs it (dist/lb-receiver/cli.js, built by `npm test`): the secret from
 * an environment variable, flags, the readiness line, a state file, and a clean stop on SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../../..");
const cli = path.join(root, "dist", "lb-receiver", "cli.js");
const READY = /^Load balancer receiver listening on (http:\/\/127\.0\.0\.1:\d+)\n$/;

interface Run {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});

function run(args: string[], env: Record<string, string> = {}): Run {
  // Only what the CLI needs: a secret set in the developer's shell must not change what it sees.
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

async function ready(r: Run): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (!READY.test(r.out())) {
    if (Date.now() > deadline || r.child.exitCode !== null) throw new Error(`receiver did not start: ${r.out()} ${r.err()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return READY.exec(r.out())![1];
}

function signedPost(url: string, secret: string, id: string) {
  const body = JSON.stringify({
    id,
    eventType: "webchat.brand.created",
    timestamp: new Date().toISOString(),
    brand: { id: "b1", name: "Support", endpointUrl: "wss://support.example.com" },
  });
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = "sha256=" + createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex");
  return fetch(`${url}/events`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-genesys-timestamp": ts, "x-genesys-signature": signature },
    body,
  });
}

describe("lb-receiver CLI", () => {
  it("reads the secret from the variable --secret-env names, keeps its pool in --state, and stops cleanly on SIGTERM", async () => {
    const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lbr-cli-")), "state", "pool.json");
    const r = run(["--port", "0", "--secret-env", "MY_LB_SECRET", "--state", stateFile], { MY_LB_SECRET: "cli-secret" });
    const url = await ready(r);
    expect((await signedPost(url, "wrong-secret", "d0")).status).toBe(401);
    expect((await signedPost(url, "cli-secret", "d1")).status).toBe(200);
    const pool = (await (await fetch(`${url}/pool`)).json()) as { members: { brandId: string }[] };
    expect(pool.members.map((m) => m.brandId)).toEqual(["b1"]);
    r.child.kill("SIGTERM");
    expect(await r.exit).toBe(0);
    expect(JSON.parse(fs.readFileSync(stateFile, "utf8")).channels).toHaveLength(1);
    expect(r.out() + r.err()).not.toContain("cli-secret");
  });

  it("takes the secret from LB_WEBHOOK_SECRET by default", async () => {
    const r = run(["--port", "0"], { LB_WEBHOOK_SECRET: "default-var-secret" });
    const url = await ready(r);
    expect((await signedPost(url, "default-var-secret", "d1")).status).toBe(200);
    r.child.kill("SIGTERM");
    expect(await r.exit).toBe(0);
  });

  it("with --allow-unsigned starts without a secret", async () => {
    const r = run(["--port", "0", "--allow-unsigned"]);
    const url = await ready(r);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    r.child.kill("SIGTERM");
    expect(await r.exit).toBe(0);
  });

  it.each([
    [[], "set the webhook secret in $LB_WEBHOOK_SECRET, or pass --allow-unsigned"],
    [["--port", "70000"], "--port must be 0..65535"],
    [["--port"], "--port needs a value"],
    [["--verbose"], "unknown flag --verbose"],
    [["--allow-unsigned", "--lb", "nginx"], "--lb nginx: the load balancers supported are: haproxy"],
    [["--allow-unsigned", "--lb", "haproxy"], "--lb haproxy needs --haproxy-socket PATH (HAProxy's stats socket, level admin)"],
    [["--allow-unsigned", "--port", "--state", "x"], '--port needs a value (write --port=VALUE for a value that starts with "-")'],
    [["--allow-unsigned", "--port", "8o"], "--port must be 0..65535"],
    [["--allow-unsigned=yes"], "--allow-unsigned takes no value"],
    [["--allow-unsigned", "extra"], "unexpected argument extra"],
    [
      ["--allow-unsigned", "--bind-retry-seconds", "-1"],
      '--bind-retry-seconds needs a value (write --bind-retry-seconds=VALUE for a value that starts with "-")',
    ],
    [["--allow-unsigned", "--bind-retry-seconds=-1"], "--bind-retry-seconds must be a number of seconds, 0 or more"],
  ])("exits 2 with usage for %j", async (args, message) => {
    const r = run(args as string[]);
    expect(await r.exit).toBe(2);
    expect(r.err()).toBe(
      `lb-receiver: ${message}\nusage: lb-receiver [--port N] [--secret-env VAR] [--state FILE] [--allow-unsigned] [--bind-retry-seconds N]\n` +
        "                   [--lb haproxy --haproxy-socket PATH [--haproxy-backend NAME] [--haproxy-ca-file FILE]]\n",
    );
  });

  it("does not start when it cannot reach HAProxy, and names the socket", async () => {
    const socket = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lbr-cli-")), "no-haproxy.sock");
    const r = run(["--port", "0", "--allow-unsigned", "--lb", "haproxy", "--haproxy-socket", socket]);
    expect(await r.exit).toBe(1);
    expect(r.out()).toBe("");
    expect(r.err()).toMatch(
      new RegExp(`^lb-receiver: HAProxy runtime API at ${socket.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} did not answer "show info": `),
    );
  });
});
