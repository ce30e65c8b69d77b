/**
 * The connection-time half of the SSRF rules: a socket given checkedLookup connects only to
 * addresses the rules allow, whatever the name resolved to when it was checked before.
 */
import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkedLookup } from "../../../provider/validation/checked-lookup";
import type { Resolver } from "../../../provider/validation";

let listener: net.Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  listener = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  port = (listener.address() as net.AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

/** Answers public for the first question and 127.0.0.1 for every later one: a rebinding name. */
function rebinding(): Resolver & { asked: number } {
  const resolver = Object.assign(
    async () => {
      resolver.asked++;
      return resolver.asked === 1 ? ["93.184.215.14"] : ["127.0.0.1"];
    },
    { asked: 0 },
  );
  return resolver;
}

/** Connects to host:port through the lookup; resolves with the error code, or "connected". */
function connect(host: string, lookup: net.LookupFunction): Promise<{ outcome: string; message?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, lookup });
    socket.once("connect", () => {
      socket.destroy();
      resolve({ outcome: "connected" });
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve({ outcome: err.code ?? "error", message: err.message }));
  });
}

describe("checkedLookup", () => {
  it("refuses a name that rebinds to loopback after a public first answer, naming the host and allowPrivateNetworks", async () => {
    const resolver = rebinding();
    await resolver("lb.example.test"); // the create/update check's question: public
    const before = connections;
    const result = await connect("lb.example.test", checkedLookup({ allowPrivateNetworks: false, resolver, field: "callbackUrl" }));
    expect(result.outcome).toBe("EADDRESSREFUSED");
    expect(result.message).toContain('host "lb.example.test" resolves to 127.0.0.1, a loopback address');
    expect(result.message).toContain("genesys:allowPrivateNetworks");
    expect(connections).toBe(before);
  });

  it("connects to the loopback answer when the stack allows private networks", async () => {
    const resolver = rebinding();
    await resolver("lb.example.test");
    const before = connections;
    const result = await connect("lb.example.test", checkedLookup({ allowPrivateNetworks: true, resolver, field: "callbackUrl" }));
    expect(result).toEqual({ outcome: "connected" });
    await expect.poll(() => connections).toBe(before + 1);
  });

  it("answers localhost with loopback only when private networks are allowed, without asking the resolver", async () => {
    const resolver: Resolver = async (host) => {
      throw new Error(`resolver asked for ${host}`);
    };
    const refused = await connect("localhost", checkedLookup({ allowPrivateNetworks: false, resolver, field: "callbackUrl" }));
    expect(refused.outcome).toBe("EADDRESSREFUSED");
    expect(refused.message).toContain('host "localhost" resolves to 127.0.0.1, a loopback address');
    const allowed = await connect("localhost", checkedLookup({ allowPrivateNetworks: true, resolver, field: "callbackUrl" }));
    expect(allowed).toEqual({ outcome: "connected" });
  });

  it("refuses a metadata address even when private networks are allowed", async () => {
    const resolver: Resolver = async () => ["169.254.169.254"];
    const result = await connect("lb.example.test", checkedLookup({ allowPrivateNetworks: true, resolver, field: "callbackUrl" }));
    expect(result.outcome).toBe("EADDRESSREFUSED");
    expect(result.message).toContain("cloud metadata service address");
  });

  it("refuses when any answer is refused, even if another is allowed", async () => {
    const resolver: Resolver = async () => ["93.184.215.14", "10.0.0.8"];
    const result = await connect("lb.example.test", checkedLookup({ allowPrivateNetworks: false, resolver, field: "callbackUrl" }));
    expect(result.outcome).toBe("EADDRESSREFUSED");
    expect(result.message).toContain("10.0.0.8, a private-network address");
  });

  it("keeps the resolver's own failure code (a name that does not exist)", async () => {
    const resolver: Resolver = async (host) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    };
    const result = await connect("nowhere.example.test", checkedLookup({ allowPrivateNetworks: true, resolver, field: "callbackUrl" }));
    expect(result.outcome).toBe("ENOTFOUND");
  });
});
