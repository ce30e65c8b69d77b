/**
 * The provider plugin's gRPC protocol, served in-process and called as the engine calls it, against
 * two emulators standing for two orgs: each provider instance (one server) keeps its own settings.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { serve } from "../../provider/plugin/server";
import { EmulatorAdmin } from "../support/admin";
import { declaration } from "../support/declarations";
import { listBrands } from "../support/genesys";

const orgA = { clientId: "plugin-a", clientSecret: "plugin-a-secret-5b1f" };
const orgB = { clientId: "plugin-b", clientSecret: "plugin-b-secret-c9e0" };
const ADMIN = "plugin-admin";
const SECRET = (value: string) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
const CHANNEL_URN = "urn:pulumi:dev::proj::genesys:index:WebMessagingChannel::web";

type Client = provrpc.ResourceProviderClient;
const call = <Req, Res>(client: Client, method: string, req: Req): Promise<Res> =>
  new Promise((resolve, reject) =>
    (client as unknown as Record<string, (r: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => void>)[method]!.call(
      client,
      req,
      (err, res) => (err ? reject(err) : resolve(res)),
    ),
  );
const struct = (value: object) => Struct.fromJavaScript(value as Parameters<typeof Struct.fromJavaScript>[0]);

describe("the genesys provider plugin's protocol", () => {
  let emulatorA: RunningEmulator;
  let emulatorB: RunningEmulator;
  const servers: grpc.Server[] = [];
  const dirs: string[] = [];

  async function provider(): Promise<Client> {
    const { port, server } = await serve({ version: "0.1.0" });
    servers.push(server);
    return new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }

  function settings(emulator: RunningEmulator, org: { clientId: string; clientSecret: string }) {
    const auditDir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-plugin-audit-"));
    dirs.push(auditDir);
    return {
      apiUrl: emulator.url,
      clientId: org.clientId,
      clientSecret: SECRET(org.clientSecret),
      allowPrivateNetworks: true,
      healthTimeoutSeconds: 5,
      useEnvironment: "false",
      auditDir,
    };
  }

  async function configured(emulator: RunningEmulator, org: { clientId: string; clientSecret: string }): Promise<Client> {
    const client = await provider();
    await call(client, "configure", new provproto.ConfigureRequest().setArgs(struct(settings(emulator, org))).setAcceptsecrets(true));
    return client;
  }

  beforeAll(async () => {
    emulatorA = await startEmulator({ port: 0, data: ":memory:", clients: [orgA], adminToken: ADMIN, quiet: true });
    emulatorB = await startEmulator({ port: 0, data: ":memory:", clients: [orgB], adminToken: ADMIN, quiet: true });
  });

  afterAll(async () => {
    for (const s of servers) s.forceShutdown();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    await emulatorA?.close();
    await emulatorB?.close();
  });

  it("CheckConfig returns each missing or bad setting as a failure with the dynamic provider's message", async () => {
    const client = await provider();
    const res = await call<provproto.CheckRequest, provproto.CheckResponse>(
      client,
      "checkConfig",
      new provproto.CheckRequest()
        .setUrn("urn:pulumi:dev::proj::pulumi:providers:genesys::org-a")
        .setNews(struct({ apiUrl: "ftp//nowhere", allowPrivateNetworks: "maybe", useEnvironment: "false" })),
    );
    const failures = res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
    expect(failures).toEqual([
      { property: "clientId", reason: expect.stringContaining("genesys:clientId is not set") },
      { property: "clientSecret", reason: expect.stringContaining("genesys:clientSecret is not set") },
      { property: "apiUrl", reason: expect.stringContaining('genesys:apiUrl must be an absolute URL (got "ftp//nowhere")') },
      { property: "allowPrivateNetworks", reason: expect.stringContaining('must be true or false (got "maybe")') },
    ]);
  });

  it("DiffConfig of a changed secret alone updates the provider and replaces nothing", async () => {
    const client = await provider();
    const olds = { apiUrl: "https://api.example.com", clientId: "a", clientSecret: SECRET("old-secret") };
    const res = await call<provproto.DiffRequest, provproto.DiffResponse>(
      client,
      "diffConfig",
      new provproto.DiffRequest().setOlds(struct(olds)).setNews(struct({ ...olds, clientSecret: SECRET("new-secret") })),
    );
    expect(res.getChanges()).toBe(provproto.DiffResponse.DiffChanges.DIFF_SOME);
    expect(res.getDiffsList()).toEqual(["clientSecret"]);
    expect(res.getReplacesList()).toEqual([]);
    expect(res.getDeletebeforereplace()).toBe(false);
  });

  it("Check returns every failure with its property path, and the API sees no call", async () => {
    const client = await configured(emulatorA, orgA);
    const admin = new EmulatorAdmin(emulatorA.url, ADMIN);
    await admin.clearRequests();
    const bad = declaration("bad", { allowedOrigins: ["not an origin"], settings: { maxConcurrentSessions: 0, rateLimitThreshold: 50 } });
    const { resourceName: _r, ...inputs } = bad;
    const res = await call<provproto.CheckRequest, provproto.CheckResponse>(
      client,
      "check",
      new provproto.CheckRequest().setUrn(CHANNEL_URN).setType("genesys:index:WebMessagingChannel").setNews(struct(inputs)),
    );
    const properties = res.getFailuresList().map((f) => f.getProperty());
    expect(properties.sort()).toEqual(["allowedOrigins[0]", "settings.maxConcurrentSessions"]);
    expect(await admin.requests()).toEqual([]);
  });

  it("two provider instances create, read and delete in their own org, and a vanished id reads as empty", async () => {
    const a = await configured(emulatorA, orgA);
    const b = await configured(emulatorB, orgB);
    const { resourceName: _ra, ...inA } = declaration("in-a");
    const { resourceName: _rb, ...inB } = declaration("in-b");
    const create = async (client: Client, inputs: object) => {
      const checked = await call<provproto.CheckRequest, provproto.CheckResponse>(
        client,
        "check",
        new provproto.CheckRequest().setUrn(CHANNEL_URN).setNews(struct(inputs)),
      );
      expect(checked.getFailuresList()).toEqual([]);
      return call<provproto.CreateRequest, provproto.CreateResponse>(
        client,
        "create",
        new provproto.CreateRequest().setUrn(CHANNEL_URN).setProperties(checked.getInputs()),
      );
    };
    const createdA = await create(a, inA);
    const createdB = await create(b, inB);
    expect((await listBrands(emulatorA.url, orgA.clientId, orgA.clientSecret)).map((x) => x.name)).toEqual(["Channel in-a"]);
    expect((await listBrands(emulatorB.url, orgB.clientId, orgB.clientSecret)).map((x) => x.name)).toEqual(["Channel in-b"]);
    const outs = createdA.getProperties()!.toJavaScript();
    expect(outs).toMatchObject({ brandId: createdA.getId(), name: "Channel in-a" });
    expect(JSON.stringify(outs)).not.toContain(orgA.clientSecret);

    const read = await call<provproto.ReadRequest, provproto.ReadResponse>(
      a,
      "read",
      new provproto.ReadRequest().setUrn(CHANNEL_URN).setId(createdA.getId()),
    );
    expect(read.getId()).toBe(createdA.getId());
    expect(read.getInputs()!.toJavaScript()).toMatchObject({ name: "Channel in-a", brandId: createdA.getId() });

    for (const [client, created] of [
      [a, createdA],
      [b, createdB],
    ] as const) {
      await call(
        client,
        "delete",
        new provproto.DeleteRequest().setUrn(CHANNEL_URN).setId(created.getId()).setProperties(created.getProperties()),
      );
    }
    expect(await listBrands(emulatorA.url, orgA.clientId, orgA.clientSecret)).toEqual([]);
    expect(await listBrands(emulatorB.url, orgB.clientId, orgB.clientSecret)).toEqual([]);
    const gone = await call<provproto.ReadRequest, provproto.ReadResponse>(
      a,
      "read",
      new provproto.ReadRequest().setUrn(CHANNEL_URN).setId(createdA.getId()),
    );
    expect(gone.getId()).toBe("");
  });

  it("a method the provider does not implement answers UNIMPLEMENTED", async () => {
    const client = await configured(emulatorA, orgA);
    const err = await call(client, "invoke", new provproto.InvokeRequest().setTok("genesys:index:getThing")).catch(
      (e: grpc.ServiceError) => e,
    );
    expect((err as grpc.ServiceError).code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it("a resource type the provider does not serve is refused, naming the types it serves", async () => {
    const client = await configured(emulatorA, orgA);
    const err = (await call(
      client,
      "create",
      new provproto.CreateRequest().setUrn("urn:pulumi:dev::proj::genesys:index:Nothing::x").setProperties(struct({})),
    ).catch((e: grpc.ServiceError) => e)) as grpc.ServiceError;
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toContain("the genesys provider serves WebMessagingChannel, LoadBalancerWebhook");
  });
});
