/**
 * A stand-in for the Pulumi engine as its plugins see it: a gRPC server on 127.0.0.1 that serves
 * the standard health service (as every Pulumi gRPC server does) and counts the checks, so a test
 * can prove that a plugin watches its engine, then take the engine away as a killed CLI would.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as GrpcJs from "@grpc/grpc-js";
import { repoRoot } from "../../scripts/pulumi-env";

// The gRPC library of the Node SDK the plugins themselves use, not a second copy.
const sdkRequire = createRequire(createRequire(path.join(repoRoot(), "package.json")).resolve("@pulumi/pulumi/package.json"));
const grpc = sdkRequire("@grpc/grpc-js") as typeof GrpcJs;

const identity = (bytes: Buffer) => bytes;
const healthService: GrpcJs.ServiceDefinition = {
  Check: {
    path: "/grpc.health.v1.Health/Check",
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};
/** HealthCheckResponse { status: SERVING } in protobuf wire format. */
const SERVING = Buffer.from([0x08, 0x01]);

export class FakeEngine {
  private constructor(
    private readonly server: GrpcJs.Server,
    readonly address: string,
    private readonly counter: { checks: number },
  ) {}

  /** Health checks answered so far. */
  get checks(): number {
    return this.counter.checks;
  }

  static async start(): Promise<FakeEngine> {
    const server = new grpc.Server();
    const counter = { checks: 0 };
    server.addService(healthService, {
      Check: (_call: unknown, callback: (err: null, response: Buffer) => void) => {
        counter.checks++;
        callback(null, SERVING);
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    return new FakeEngine(server, `127.0.0.1:${port}`, counter);
  }

  /** What a SIGKILL of the CLI does to the engine: the port closes, connections drop. */
  stop(): void {
    this.server.forceShutdown();
  }
}
