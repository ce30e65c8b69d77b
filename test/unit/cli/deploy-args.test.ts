import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  UsageError,
  conciseError,
  passphraseProblem,
  isBackendTableRace,
  isLockContention,
  lockHolders,
  lockMessage,
  parseArgs,
  redactBackend,
  summaryTable,
} from "../../../cli/deploy";

describe("npm run deploy arguments", () => {
  it("reads stacks, command, parallelism, backend and lock wait", () => {
    expect(
      parseArgs(["--stacks", "eu,us", "--command", "preview", "--parallel", "1", "--backend", "postgres://u:p@h/db", "--lock-wait=30"]),
    ).toMatchObject({
      stacks: ["eu", "us"],
      command: "preview",
      parallel: 1,
      backend: "postgres://u:p@h/db",
      lockWaitSeconds: 30,
    });
    expect(parseArgs(["--stacks", "a,b,c"]).parallel).toBe(3);
  });

  it.each([
    [[], /--stacks is required/],
    [["--stacks", "a,a"], /names a stack twice/],
    [["--stacks", "a", "--command", "import"], /--command must be up, preview, refresh or destroy/],
    [["--stacks", "a", "--parallel", "0"], /--parallel must be a whole number/],
    [["--stacks", "a b"], /stack names are letters/],
    [["--stacks", "a", "--verbose"], /unknown option "--verbose"/],
    [["--stacks"], /--stacks needs a value/],
    [["--stacks", "--parallel", "2"], /--stacks needs a value/],
    [["--stacks=", "--parallel", "2"], /--stacks needs a value/],
    [["--stacks", "a", "--lock-wait", "soon"], /--lock-wait must be whole seconds/],
    [["--stacks", "a", "--expect-no-changes=no"], /--expect-no-changes takes no value/],
    [["--stacks", "a", "up"], /unexpected argument "up"/],
  ])("refuses %j naming the option", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe("npm run deploy's project", () => {
  let tmp: string | undefined;
  afterEach(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));
  /** A user's Pulumi project with a folder inside it. */
  const project = () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-dir-"));
    fs.writeFileSync(path.join(tmp, "Pulumi.yaml"), "name: theirs\nruntime: nodejs\n");
    fs.mkdirSync(path.join(tmp, "shards"));
    return tmp;
  };
  // What npm run deploy passes on: it starts the script in this package's root, the caller's folder in INIT_CWD.
  const npmRunFrom = (dir: string) => ({ npm_lifecycle_event: "deploy", INIT_CWD: dir });
  const packageRoot = path.resolve(__dirname, "../../..");

  it("is the one pulumi uses in the folder npm run deploy was run from, not this package's", () => {
    const theirs = project();
    expect(parseArgs(["--stacks", "a"], npmRunFrom(theirs), packageRoot).dir).toBe(theirs);
    // From a folder inside the project, as pulumi itself looks: the nearest Pulumi.yaml above.
    expect(parseArgs(["--stacks", "a"], npmRunFrom(path.join(theirs, "shards")), packageRoot).dir).toBe(theirs);
    expect(parseArgs(["--stacks", "a", "--dir", "shards"], npmRunFrom(theirs), packageRoot).dir).toBe(path.join(theirs, "shards"));
  });

  it("is the working directory's when not run by npm run deploy (another script's INIT_CWD says nothing)", () => {
    const theirs = project();
    expect(parseArgs(["--stacks", "a"], {}, path.join(theirs, "shards")).dir).toBe(theirs);
    expect(parseArgs(["--stacks", "a"], { npm_lifecycle_event: "test", INIT_CWD: packageRoot }, theirs).dir).toBe(theirs);
  });

  it("refuses a folder with no Pulumi project above it, naming --dir", () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-dir-"));
    const nowhere = () => parseArgs(["--stacks", "a"], npmRunFrom(tmp!), packageRoot);
    expect(nowhere).toThrow(UsageError);
    expect(nowhere).toThrow(
      `no Pulumi project (Pulumi.yaml) in ${tmp} or any folder above it: run it from your project's folder, or pass --dir PROJECT`,
    );
  });
});

describe("lock contention", () => {
  const locked = `error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with \`pulumi cancel\`.
  postgres://runner:pw@db/state/.pulumi/locks/organization/p/eu/1f.json: created by root@ci-7 (pid 4242) at 2026-11-28T17:00:00Z`;

  it("recognises the locked message, the 409 and the postgres backend's NotFound race alike", () => {
    expect(isLockContention(locked)).toBe(true);
    expect(isLockContention("[409] Conflict: Another update is currently in progress.")).toBe(true);
    expect(isLockContention("error: checking lock: reading .pulumi/locks/organization/p/eu/1f.json: NotFound")).toBe(true);
    expect(isLockContention("error: brand not found (NotFound)")).toBe(false);
  });

  it("says who holds the lock and how to clear a stale one, without the backend's password", () => {
    // Listed once each, without the backend URL, however often the CLI's output repeats them.
    expect(lockHolders(`${locked}\n${locked}`)).toEqual(["created by root@ci-7 (pid 4242) at 2026-11-28T17:00:00Z"]);
    const uuid = "fc03e1c7-8e3c-4188-8cd0-6bc1657017d1";
    expect(
      lockHolders(`  postgres://****:***@h/state/.pulumi/locks/o/p/eu/${uuid}.json?sslmode=disable: created by root@vm (pid 7) at T`),
    ).toEqual([`created by root@vm (pid 7) at T (lock ${uuid})`]);
    const message = lockMessage("eu", "postgres://runner:pw@db:5432/state", locked, 30);
    expect(message).toContain("stack eu is locked by another runner (held by");
    expect(message).toContain("created by root@ci-7 (pid 4242)");
    expect(message).toContain("waited 30 s");
    expect(message).toContain("pulumi cancel --yes --stack eu");
    expect(message).not.toContain(":pw@");
    expect(lockMessage("eu", undefined, "NotFound lock", 0)).toContain("being released or taken as we looked");
  });

  it("redacts the backend's password and query, even a password with a slash in it", () => {
    expect(redactBackend("postgres://runner:pw@db:5432/state")).toBe("postgres://runner:***@db:5432/state");
    expect(redactBackend("postgres://runner:pw@db:5432/state?sslmode=require&sslpassword=key-pw")).toBe(
      "postgres://runner:***@db:5432/state",
    );
    const slashed = redactBackend("postgres://u:pa/ss@h/db?sslpassword=x");
    expect(slashed).not.toContain("pa/ss");
    expect(slashed).not.toContain("ss@");
    expect(slashed).not.toContain("sslpassword");
    const message = lockMessage("eu", "postgres://u:pa/ss@h/db?sslpassword=x", "the stack is currently locked by 1 lock(s)", 0);
    expect(message).not.toMatch(/pa\/ss|ss@h|sslpassword/);
    expect(conciseError("error: could not reach postgres://u:pa/ss@h/db?sslpassword=x")).not.toMatch(/pa\/ss|ss@h|sslpassword/);
    expect(redactBackend(undefined)).toBe("(default backend)");
  });
});

describe("a new postgres state database", () => {
  it("recognises the backend's table being created by two runners at once, as Pulumi 3.248 prints it", () => {
    // Seen with four `pulumi stack ls` at once on a fresh database (3 of 48 runs).
    const raced =
      "error: unable to open bucket postgres://team_admin:***@127.0.0.1:39439/race7?sslmode=disable: failed to create table pulumi_state: " +
      'pq: duplicate key value violates unique constraint "pg_type_typname_nsp_index" (23505)';
    expect(isBackendTableRace(raced)).toBe(true);
    expect(isBackendTableRace("error: failed to create table pulumi_state: pq: permission denied for schema public (42501)")).toBe(false);
    expect(isBackendTableRace('pq: duplicate key value violates unique constraint "brands_pkey" (23505)')).toBe(false);
  });
});

describe("a failed stack's message", () => {
  // As the Automation API reports a stack whose program refused its configuration (Pulumi 3.248).
  const failed = [
    "code: 255",
    " stdout: Updating (shard-0):",
    "",
    "Diagnostics:",
    "  pulumi:pulumi:Stack (genesys-webmessaging-shard-0):",
    "    error: Genesys provider configuration is incomplete:",
    "      - genesys:clientId is not set (nor GENESYSCLOUD_OAUTHCLIENT_ID); run: pulumi config set genesys:clientId <oauth-client-id>",
    "      - neither genesys:region nor genesys:apiUrl is set; run: pulumi config set genesys:region <region> (or pulumi config set genesys:apiUrl <url>)",
    "",
    " stderr: error: update failed",
    "",
  ].join("\n");

  it("keeps the provider's whole message: every missing key and the command that sets it", () => {
    const message = conciseError(failed);
    expect(message).toContain("Genesys provider configuration is incomplete:");
    expect(message).toContain(
      "- genesys:clientId is not set (nor GENESYSCLOUD_OAUTHCLIENT_ID); run: pulumi config set genesys:clientId <oauth-client-id>",
    );
    expect(message).toContain("run: pulumi config set genesys:region <region> (or pulumi config set genesys:apiUrl <url>)");
    const table = summaryTable([{ stack: "shard-0", command: "up", ok: false, changes: "", seconds: 2, error: message, lockWaits: 0 }]);
    expect(table).toContain("run: pulumi config set genesys:region <region> (or pulumi config set genesys:apiUrl <url>)");
  });

  it("says which variable to export when no passphrase is set, and when it does not open the stack", () => {
    const none =
      "error: getting secrets manager: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables";
    expect(passphraseProblem("eu", none, {})).toMatch(
      /stack eu's secrets are protected by a passphrase, and none is set: export PULUMI_CONFIG_PASSPHRASE=/,
    );
    const wrong = "error: getting stack configuration: get stack secrets manager: incorrect passphrase";
    expect(passphraseProblem("eu", wrong, { PULUMI_CONFIG_PASSPHRASE: "mine" })).toMatch(
      /the passphrase in PULUMI_CONFIG_PASSPHRASE does not open stack eu's secrets \(incorrect passphrase\)/,
    );
    expect(passphraseProblem("eu", "error: brand not found", { PULUMI_CONFIG_PASSPHRASE: "mine" })).toBeUndefined();
  });
});

describe("summary table", () => {
  it("has a row per stack and a closing count", () => {
    const table = summaryTable([
      { stack: "eu", command: "up", ok: true, changes: "+26 ~0 -0", seconds: 61.2, error: "", lockWaits: 0 },
      { stack: "us", command: "up", ok: false, changes: "", seconds: 3, error: "stack us is locked", lockWaits: 0 },
    ]);
    expect(table).toMatch(/^eu\s+up\s+ok\s+\+26 ~0 -0\s+61\.2$/m);
    expect(table).toMatch(/^us\s+up\s+FAILED\s+3\.0\s+stack us is locked$/m);
    expect(table).toMatch(/1 ok, 1 failed$/);
  });
});
