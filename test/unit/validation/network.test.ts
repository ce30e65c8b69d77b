import { describe, expect, it } from "vitest";
import { checkEndpointAddress, systemResolver, type Resolver } from "../../../provider/validation";

const resolvesTo =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses;
const mustNotResolve: Resolver = async (host) => {
  throw new Error(`resolver called for ${host}`);
};

async function check(addresses: string[], allowPrivateNetworks = false) {
  return checkEndpointAddress("https://chat.example.com/ws", { allowPrivateNetworks, resolver: resolvesTo(...addresses) });
}

const REFUSED: [string, string][] = [
  ["10.1.2.3", "private"],
  ["172.16.0.1", "private"],
  ["172.31.255.254", "private"],
  ["192.168.1.10", "private"],
  ["127.0.0.1", "loopback"],
  ["127.8.8.8", "loopback"],
  ["::1", "loopback"],
  ["169.254.10.20", "link-local"],
  ["fe80::1", "link-local"],
  ["100.64.0.1", "carrier-grade NAT"],
  ["100.127.255.254", "carrier-grade NAT"],
  ["224.0.0.251", "multicast"],
  ["ff02::1", "multicast"],
  ["0.0.0.0", "unspecified"],
  ["::", "unspecified"],
  ["fc00::1", "unique-local"],
  ["fd12:3456:789a::1", "unique-local"],
  ["255.255.255.255", "broadcast"],
  ["240.0.0.1", "reserved"],
  ["192.0.2.10", "reserved"],
  ["2001:db8::1", "reserved"],
  ["::ffff:10.0.0.1", "private"],
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:169.254.1.1", "link-local"],
  ["64:ff9b::a00:1", "private"],
  ["2002:c0a8:101::1", "private"],
  ["::a00:1", "IPv4-compatible"],
  ["169.254.169.254", "cloud metadata"],
  ["fd00:ec2::254", "cloud metadata"],
  ["100.100.100.200", "cloud metadata"],
  ["::ffff:169.254.169.254", "cloud metadata"],
];

describe("checkEndpointAddress", () => {
  it.each(REFUSED)("refuses an endpoint resolving to %s (%s)", async (address, kind) => {
    const issues = await check([address]);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe("endpointUrl");
    expect(issues[0]!.message).toContain(kind);
    expect(issues[0]!.message).toContain('host "chat.example.com" resolves to');
  });

  it.each(["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.216.34", "64:ff9b::5db8:d822"])(
    "accepts the public address %s",
    async (address) => {
      expect(await check([address])).toEqual([]);
    },
  );

  it("refuses a name with one public and one private address", async () => {
    const issues = await check(["93.184.216.34", "10.0.0.8"]);
    expect(issues.map((i) => i.message)).toEqual([expect.stringContaining("10.0.0.8")]);
  });

  it("checks an IP-literal host directly, without DNS", async () => {
    const v4 = await checkEndpointAddress("https://10.0.0.5/x", { allowPrivateNetworks: false, resolver: mustNotResolve });
    const v6 = await checkEndpointAddress("wss://[::1]:8443/x", { allowPrivateNetworks: false, resolver: mustNotResolve });
    expect(v4[0]?.message).toMatch(/^host is 10\.0\.0\.5, a private-network address/);
    expect(v6[0]?.message).toContain("loopback");
    expect(await checkEndpointAddress("https://93.184.216.34/x", { allowPrivateNetworks: false, resolver: mustNotResolve })).toEqual([]);
  });

  it("names the setting that allows private networks in the refusal of a private or loopback address", async () => {
    const fix = "allow private networks for this stack: pulumi config set genesys:allowPrivateNetworks true";
    const byAddress = await checkEndpointAddress("https://10.0.0.5/x", { allowPrivateNetworks: false, resolver: mustNotResolve });
    const byName = await checkEndpointAddress("https://localhost:8443/x", { allowPrivateNetworks: false, resolver: mustNotResolve });
    expect(byAddress.map((i) => i.message)).toEqual([
      `host is 10.0.0.5, a private-network address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16); point it at a public address, or, if the endpoint is internal on purpose, ${fix}`,
    ]);
    expect(byName[0]?.message).toContain(fix);
  });

  it("treats a URL's odd IPv4 spellings as the address they mean", async () => {
    const issues = await checkEndpointAddress("https://0x7f.1/x", { allowPrivateNetworks: false, resolver: mustNotResolve });
    expect(issues[0]?.message).toContain("127.0.0.1, a loopback address");
  });

  it("counts localhost by name as loopback without asking DNS", async () => {
    const refused = await checkEndpointAddress("https://localhost:8443/x", { allowPrivateNetworks: false, resolver: mustNotResolve });
    expect(refused[0]?.message).toContain('host "localhost" is a loopback address');
    expect(await checkEndpointAddress("https://localhost:8443/x", { allowPrivateNetworks: true, resolver: mustNotResolve })).toEqual([]);
  });

  it("refuses metadata.google.internal by name, even when private networks are allowed", async () => {
    const issues = await checkEndpointAddress("https://metadata.google.internal/computeMetadata/v1/", {
      allowPrivateNetworks: true,
      resolver: mustNotResolve,
    });
    expect(issues[0]?.message).toContain("cloud metadata service");
  });

  it.each(["10.1.2.3", "192.168.0.1", "127.0.0.1", "::1", "fd12::1", "100.64.0.1", "::ffff:10.0.0.1"])(
    "accepts the private address %s when private networks are allowed",
    async (address) => {
      expect(await check([address], true)).toEqual([]);
    },
  );

  it.each(["169.254.169.254", "fd00:ec2::254", "100.100.100.200", "::ffff:169.254.169.254", "169.254.170.2"])(
    "still refuses the metadata address %s when private networks are allowed",
    async (address) => {
      expect((await check([address], true))[0]?.message).toContain("cloud metadata");
    },
  );

  it("still refuses link-local, multicast and unspecified addresses when private networks are allowed", async () => {
    expect(await check(["169.254.1.1", "ff02::1", "0.0.0.0"], true)).toHaveLength(3);
  });

  it("explains a DNS failure with the host, the reason and what to check", async () => {
    const failing: Resolver = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND chat.exmaple.com"), { code: "ENOTFOUND" });
    };
    const issues = await checkEndpointAddress("https://chat.exmaple.com/ws", { allowPrivateNetworks: false, resolver: failing });
    expect(issues).toEqual([
      {
        path: "endpointUrl",
        message:
          "DNS resolution failed for chat.exmaple.com: ENOTFOUND; check the hostname is spelled correctly and resolves from where Pulumi runs",
      },
    ]);
  });

  it("treats a name with no addresses as a DNS failure", async () => {
    expect((await check([]))[0]?.message).toContain("DNS resolution failed for chat.example.com: no A or AAAA records");
  });

  it("reports under the field it is given, for webhook callback URLs", async () => {
    const issues = await checkEndpointAddress("https://lb.internal.example/sync", {
      allowPrivateNetworks: false,
      resolver: resolvesTo("10.9.9.9"),
      field: "uri",
    });
    expect(issues.map((i) => i.path)).toEqual(["uri"]);
  });

  it("reports an unparsable URL instead of throwing", async () => {
    expect((await checkEndpointAddress("not a url", { allowPrivateNetworks: false, resolver: mustNotResolve }))[0]?.message).toContain(
      "is not a valid URL",
    );
  });

  it("uses the system resolver by default, which finds localhost's loopback addresses", async () => {
    const addresses = await systemResolver("localhost");
    expect(addresses.some((a) => a === "127.0.0.1" || a === "::1")).toBe(true);
  });
});
