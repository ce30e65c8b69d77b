import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../emulator/cli";
import { basic, brandBody } from "./helpers";

const root = path.resolve(__dirname, "../..");
const outDir = path.join(root, "node_modules/.cache/emulator-cli-test");
const cli = path.join(outDir, "emulator/cli.js");
const LINE = /^Genesys emulator listening on http:\/\/127\.0\.0\.1:(\d+)\n$/;

interface Started {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(args: string[]): Started {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, url: "", stdout: () => out, stderr: () => err, exit };
}

async function listening(args: string[]): Promise<Started> {
  const s = run(args);
  const deadline = Date.now() + 10_000;
  while (!LINE.test(s.stdout())) {
    if (Date.now() > deadline || s.child.exitCode !== null) throw new Error(`CLI did not start: ${s.stdout()} ${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  s.url = `http://127.0.0.1:${LINE.exec(s.stdout())![1]}`;
  return s;
}

async function token(url: string, id = "dev-client", secret = "dev-secret"): Promise<string> {
  const r = await fetch(`${url}/oauth/token?grant_type=client_credentials`, {
    method: "POST",
    headers: { authorization: basic(id, secret) },
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { access_token: string }).access_token;
}

describe("emulator CLI", () => {
  let tmp: string;
  beforeAll(() => {
    // Compile only the emulator (and the limits it imports), so that work in progress elsewhere cannot break this test.
    execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(__dirname, "tsconfig.cli.json")], {
      cwd: root,
      stdio: "pipe",
    });
    tmp = mkdtempSync(path.join(os.tmpdir(), "emu-cli-"));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("prints the listening line once, serves the API, and exits 0 on SIGTERM", async () => {
    const s = await listening(["--port", "0", "--data", ":memory:"]);
    const t = await token(s.url);
    const r = await fetch(`${s.url}/api/v2/webchat/brands`, { headers: { authorization: `Bearer ${t}` } });
    expect(r.status).toBe(200);
    s.child.kill("SIGTERM");
    expect(await s.exit).toBe(0);
    expect(s.stdout()).toMatch(LINE);
  });

  it("exits 0 on SIGINT too", async () => {
    const s = await listening(["--port=0", "--data=:memory:"]);
    s.child.kill("SIGINT");
    expect(await s.exit).toBe(0);
  });

  it.each([
    [["--bogus"], "--bogus"],
    [["--port", "http"], "--port"],
    [["--rate-limit", "lots"], "--rate-limit"],
    [["--health-probe", "ping"], "--health-probe"],
    [["--client", "only-an-id"], "--client"],
    [["--token-ttl"], "--token-ttl"],
    [["--quiet=yes"], "--quiet"],
  ])("rejects %j with a usage error naming the flag and exit code 2", async (args, flag) => {
    const s = run(args);
    expect(await s.exit).toBe(2);
    expect(s.stderr()).toContain(flag);
    expect(s.stderr()).toContain("Usage:");
    expect(s.stdout()).toBe("");
  });

  it("creates the data folder and keeps a committed brand through kill -9", async () => {
    const data = path.join(tmp, "nested", "dir", "emulator.db");
    const args = ["--port", "0", "--data", data, "--client", "ci:ci-secret", "--rate-limit", "50/1s", "--quiet"];
    const first = await listening(args);
    expect(existsSync(path.dirname(data))).toBe(true);
    const t = await token(first.url, "ci", "ci-secret");
    const created = await fetch(`${first.url}/api/v2/webchat/brands`, {
      method: "POST",
      headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
      body: JSON.stringify(brandBody()),
    });
    expect(created.status).toBe(201);
    const brand = (await created.json()) as { id: string; name: string };
    first.child.kill("SIGKILL");
    await first.exit;

    const second = await listening(args);
    try {
      const got = await fetch(`${second.url}/api/v2/webchat/brands/${brand.id}`, { headers: { authorization: `Bearer ${t}` } });
      expect(got.status).toBe(200);
      expect(((await got.json()) as { name: string }).name).toBe(brand.name);
    } finally {
      second.child.kill("SIGTERM");
      expect(await second.exit).toBe(0);
    }
  });

  it("prints its defaults in --help: port, data file, client, rate limit, token lifetime", async () => {
    const s = run(["--help"]);
    expect(await s.exit).toBe(0);
    const help = s.stdout();
    expect(help).toContain("(default 8787; 0 = ephemeral)");
    expect(help).toContain("(default .data/emulator.db)");
    expect(help).toContain("(default dev-client:dev-secret)");
    expect(help).toContain("no SCOPES = every scope");
    expect(help).toContain("(default 300/60s)");
    expect(help).toContain("(default 86400)");
  });

  it("gives a --client the scopes named after ID:SECRET, whose names contain ':'", async () => {
    const s = await listening(["--port", "0", "--data", ":memory:", "--quiet", "--client", "ro:ro-secret:webchat:brand:read"]);
    try {
      const t = await token(s.url, "ro", "ro-secret");
      const list = await fetch(`${s.url}/api/v2/webchat/brands`, { headers: { authorization: `Bearer ${t}` } });
      expect(list.status).toBe(200);
      const create = await fetch(`${s.url}/api/v2/webchat/brands`, {
        method: "POST",
        headers: { authorization: `Bearer ${t}`, "content-type": "application/json" },
        body: JSON.stringify(brandBody()),
      });
      expect(create.status).toBe(403);
      expect(JSON.stringify(await create.json())).toContain("webchat:brand:write");
    } finally {
      s.child.kill("SIGTERM");
      expect(await s.exit).toBe(0);
    }
  });
});

describe("emulator CLI argument parsing", () => {
  it("takes --flag=value and --flag value alike, the last of a repeated flag winning", () => {
    expect(parseArgs(["--port=0", "--port", "9000", "--seed=7", "--draft-settle-ms", "5"])).toMatchObject({
      port: 9000,
      seed: 7,
      webDeployments: { draftSettleMs: 5 },
    });
  });

  it.each([
    [["--quiet=yes"], "--quiet"],
    [["--data", "--quiet"], "--data"],
    [["serve"], "serve"],
  ])("refuses %j as a usage error naming %s", (argv, name) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(name);
  });
});

describe("emulator CLI --client parsing", () => {
  it("splits on the first two ':' only, so scope names keep theirs", () => {
    expect(parseArgs(["--client", "ro:ro-secret:webchat:brand:read,webhooks:webhook:write"]).clients).toEqual([
      { clientId: "ro", clientSecret: "ro-secret", scopes: ["webchat:brand:read", "webhooks:webhook:write"] },
    ]);
  });

  it("gives a client without a scope list every scope, and an empty list none", () => {
    expect(parseArgs(["--client", "all:all-secret", "--client=none:none-secret:"]).clients).toEqual([
      { clientId: "all", clientSecret: "all-secret" },
      { clientId: "none", clientSecret: "none-secret", scopes: [] },
    ]);
  });

  it.each([
    ["only-an-id", "--client must be ID:SECRET[:SCOPES]"],
    [":secret", "--client must be ID:SECRET[:SCOPES]"],
    ["id::webchat:brand:read", "--client must be ID:SECRET[:SCOPES]"],
    ["id:secret:webchat:brand:read,,webhooks:webhook:write", 'empty scope in "webchat:brand:read,,webhooks:webhook:write"'],
  ])("refuses --client %j with a message naming the expected form", (value, message) => {
    expect(() => parseArgs(["--client", value])).toThrow(UsageError);
    expect(() => parseArgs(["--client", value])).toThrow(message);
  });
});
