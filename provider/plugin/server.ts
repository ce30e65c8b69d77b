/**
 * The provider plugin `pulumi-resource-genesys`: Pulumi's provider protocol served on the generated
 * gRPC bindings, over the same lifecycles as the dynamic resources (provider/resources, bound in provider/runtime/lifecycles.ts).
 *
 * One process is one provider instance (the engine starts a plugin process per provider resource,
 * the default one and each explicit `pulumi:providers:genesys`), so the instance's context (its
 * client, token, pacing and audit trail) is built here from its own inputs at Configure, never from
 * the process-wide context the dynamic provider uses.
 *
 *   GetPluginInfo  the package version
 *   GetSchema      packageSchema() (schema.ts), generated from the zod schemas
 *   CheckConfig    loadProviderConfig (provider/config.ts): the dynamic provider's messages, one failure per setting
 *   DiffConfig     changes only, never a replacement: a new secret or region re-configures the provider
 *   Configure      buildContext(loadProviderConfig(inputs)); secret settings stay in this process
 *   Check..Delete  the lifecycle of the resource kind the URN's type names
 *   anything else  UNIMPLEMENTED (grpc-js's answer for a method the service object lacks)
 */
import * as grpc from "@grpc/grpc-js";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ConfigError, loadProviderConfig, secretsOf } from "../config";
import { makeStringScrubber } from "../audit/redact";
import { buildContext, type RuntimeContext } from "../runtime/context";
import { type EngineLifecycle, bindLifecycle } from "../runtime/lifecycles";
import { UNKNOWN } from "../validation/unknown";
import { RESOURCES, resourceOfType, typeOfUrn } from "./resources";
import { packageSchema } from "./schema";

type Props = Record<string, unknown>;

/** Pulumi's wire form of a secret value (sdk/go/common/resource/sig). */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The value inside Pulumi's secret wrappers, at any depth. */
function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value !== null && typeof value === "object") {
    const obj = value as Props;
    if (obj[SIG_KEY] === SECRET_SIG) return unwrapSecrets(obj.value);
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, unwrapSecrets(v)]));
  }
  return value;
}

function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (value !== null && typeof value === "object") return Object.values(value).some(containsUnknown);
  return false;
}

/** Provider inputs as the `genesys:<key>` settings loadProviderConfig reads (stack config gives strings). */
function settingsSource(inputs: Props): (key: string) => string | undefined {
  return (key) => {
    const value = inputs[key.replace(/^genesys:/, "")];
    if (value === undefined || value === null) return undefined;
    return typeof value === "string" ? value : JSON.stringify(value);
  };
}

/** The problems inside a ConfigError, each as a failure on the setting it names first. */
function configFailures(err: ConfigError): { property: string; reason: string }[] {
  return err.message
    .split("\n  - ")
    .slice(1)
    .map((reason) => ({ property: /genesys:(\w+)/.exec(reason)?.[1] ?? "", reason }));
}

const toStruct = (value: unknown) => Struct.fromJavaScript((value ?? {}) as Parameters<typeof Struct.fromJavaScript>[0]);

type Handler<Req, Res> = grpc.handleUnaryCall<Req, Res>;

export interface ServerOptions {
  version: string;
  /** Test seam: the context a configuration makes (default: buildContext). */
  contextFor?: (config: ReturnType<typeof loadProviderConfig>) => RuntimeContext;
}

class GenesysProviderServer {
  private ctx: RuntimeContext | undefined;
  private scrub: (s: string) => string = makeStringScrubber();
  private readonly context = (): RuntimeContext => {
    if (!this.ctx) throw new Error("the genesys provider was not configured (the engine calls Configure first)");
    return this.ctx;
  };

  constructor(private readonly opts: ServerOptions) {}

  /** The service object grpc-js serves; a method missing here answers UNIMPLEMENTED. */
  service(): Partial<provrpc.IResourceProviderServer> {
    return {
      getPluginInfo: this.unary(async () => new plugproto.PluginInfo().setVersion(this.opts.version)),
      getSchema: this.unary(async (req: provproto.GetSchemaRequest) => {
        if (req.getVersion() !== 0) throw grpcError(grpc.status.INVALID_ARGUMENT, `unsupported schema version ${req.getVersion()}`);
        return new provproto.GetSchemaResponse().setSchema(JSON.stringify(packageSchema(this.opts.version)));
      }),
      checkConfig: this.unary(async (req: provproto.CheckRequest) => {
        const news = req.getNews()?.toJavaScript() ?? {};
        const res = new provproto.CheckResponse().setInputs(req.getNews() ?? toStruct({}));
        const plain = unwrapSecrets(news) as Props;
        if (containsUnknown(plain)) return res; // judged at Configure, once known
        try {
          loadProviderConfig(settingsSource(plain));
        } catch (err) {
          if (!(err instanceof ConfigError)) throw err;
          res.setFailuresList(configFailures(err).map((f) => new provproto.CheckFailure().setProperty(f.property).setReason(f.reason)));
        }
        return res;
      }),
      diffConfig: this.unary(async (req: provproto.DiffRequest) => {
        const olds = unwrapSecrets(req.getOlds()?.toJavaScript() ?? {}) as Props;
        const news = unwrapSecrets(req.getNews()?.toJavaScript() ?? {}) as Props;
        const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter((k) => k !== "version");
        const diffs = keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k])).sort();
        // A provider replaced would replace every resource it manages; a changed setting (a rotated
        // secret above all) only re-configures it, and the next operation uses the new one.
        return new provproto.DiffResponse()
          .setChanges(diffs.length > 0 ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE)
          .setDiffsList(diffs);
      }),
      configure: this.unary(async (req: provproto.ConfigureRequest) => {
        const args = req.getArgs()?.toJavaScript();
        const inputs: Props = args
          ? (unwrapSecrets(args) as Props)
          : Object.fromEntries([...req.getVariablesMap().entries()].map(([k, v]) => [k.replace(/^genesys:(config:)?/, ""), v]));
        if (!containsUnknown(inputs)) {
          let config;
          try {
            config = loadProviderConfig(settingsSource(inputs));
          } catch (err) {
            throw err instanceof ConfigError ? grpcError(grpc.status.INVALID_ARGUMENT, err.message, err) : err;
          }
          this.ctx = (this.opts.contextFor ?? buildContext)(config);
          this.scrub = makeStringScrubber(secretsOf(config));
        }
        // acceptSecrets false: the engine strips secrets from resource inputs and marks the outputs
        // of secret inputs secret again, so no secret is unwrapped into a plain output here.
        return new provproto.ConfigureResponse().setAcceptsecrets(false).setAcceptresources(false).setSupportspreview(false);
      }),
      check: this.unary(async (req: provproto.CheckRequest) => {
        const { lifecycle } = this.resolve(req.getUrn(), req.getType());
        const olds = req.getOlds()?.toJavaScript() ?? {};
        const news = req.getNews()?.toJavaScript() ?? {};
        const result = await lifecycle.check(olds, news);
        const res = new provproto.CheckResponse().setInputs(toStruct(result.inputs));
        return res.setFailuresList(result.failures.map((f) => new provproto.CheckFailure().setProperty(f.property).setReason(f.reason)));
      }),
      diff: this.unary(async (req: provproto.DiffRequest) => {
        const { lifecycle } = this.resolve(req.getUrn(), req.getType());
        const r = await lifecycle.diff(req.getId(), req.getOlds()?.toJavaScript() ?? {}, req.getNews()?.toJavaScript() ?? {});
        return new provproto.DiffResponse()
          .setChanges(r.changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE)
          .setReplacesList(r.replaces)
          .setDeletebeforereplace(r.deleteBeforeReplace ?? false)
          .setDiffsList(r.diffs ?? []);
      }),
      create: this.unary(async (req: provproto.CreateRequest) => {
        const { lifecycle } = this.resolve(req.getUrn(), req.getType());
        const r = await lifecycle.create(req.getProperties()?.toJavaScript() ?? {});
        return new provproto.CreateResponse().setId(r.id).setProperties(toStruct(r.outs));
      }),
      read: this.unary(async (req: provproto.ReadRequest) => {
        const { lifecycle } = this.resolve(req.getUrn(), req.getType());
        const r = await lifecycle.read(req.getId(), req.getProperties()?.toJavaScript() ?? {});
        // An empty id tells the engine the object is gone (refresh drops it; import fails).
        const res = new provproto.ReadResponse().setId(r.id);
        if (!r.id) return res;
        return res.setProperties(toStruct(r.props)).setInputs(r.inputs ? toStruct(r.inputs) : undefined);
      }),
      update: this.unary(async (req: provproto.UpdateRequest) => {
        const { lifecycle } = this.resolve(req.getUrn(), req.getType());
        const r = await lifecycle.update(req.getId(), req.getOlds()?.toJavaScript() ?? {}, req.getNews()?.toJavaScript() ?? {});
        return new provproto.UpdateResponse().setProperties(toStruct(r.outs));
      }),
      delete: this.unary(async (req: provproto.DeleteRequest) => {
        const { lifecycle } = this.resolve(req.getUrn(), req.getType());
        await lifecycle.delete(req.getId(), req.getProperties()?.toJavaScript() ?? {});
        return new Empty();
      }),
      // Operations in flight finish (each is atomic, see create-or-adopt.ts); the engine starts no more.
      cancel: this.unary(async () => new Empty()),
    };
  }

  private resolve(urn: string, type: string): { lifecycle: EngineLifecycle } {
    const found = resourceOfType(type || typeOfUrn(urn));
    if (!found) {
      const known = Object.keys(RESOURCES).join(", ");
      throw grpcError(grpc.status.INVALID_ARGUMENT, `unknown resource type in ${urn}; the genesys provider serves ${known}`);
    }
    return { lifecycle: bindLifecycle(found.entry.lifecycle, this.context) };
  }

  /** One unary handler: its failure reaches the engine as a gRPC error scrubbed of this instance's secrets. */
  private unary<Req, Res>(run: (req: Req) => Promise<Res>): Handler<Req, Res> {
    return (call, callback) => {
      run(call.request).then(
        (res) => callback(null, res),
        (err: unknown) => {
          const status = err instanceof GrpcError ? err.code : grpc.status.UNKNOWN;
          const message = err instanceof Error ? err.message : String(err);
          callback({ code: status, details: this.scrub(message), metadata: new grpc.Metadata() }, null);
        },
      );
    };
  }
}

class GrpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "GrpcError";
  }
}

function grpcError(code: grpc.status, message: string, cause?: unknown): GrpcError {
  return new GrpcError(code, message, cause === undefined ? undefined : { cause });
}

/** Serves the provider on 127.0.0.1 (a free port) and returns the port the engine must be told. */
export async function serve(opts: ServerOptions): Promise<{ port: number; server: grpc.Server }> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, new GenesysProviderServer(opts).service() as provrpc.IResourceProviderServer);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, server };
}
