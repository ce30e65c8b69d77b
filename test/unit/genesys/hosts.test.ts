import { describe, expect, it } from "vitest";
import { resolveEndpoints } from "../../../provider/genesys/hosts";

describe("API and login hosts", () => {
  it("derives api. and login. hosts from a region name", () => {
    expect(resolveEndpoints({ region: "eu-west-1" })).toEqual({
      apiUrl: "https://api.mypurecloud.ie",
      authUrl: "https://login.mypurecloud.ie",
    });
  });

  it("refuses an apiUrl that is not a URL, naming the setting and keeping the parser's error as the cause", () => {
    let err: unknown;
    try {
      resolveEndpoints({ apiUrl: "api.mypurecloud.ie" });
    } catch (e) {
      err = e;
    }
    expect((err as Error).message).toBe('genesys:apiUrl "api.mypurecloud.ie" is not a URL; use e.g. https://api.mypurecloud.com');
    expect((err as Error).cause).toBeInstanceOf(TypeError);
  });

  it("accepts a domain in place of a region name", () => {
    expect(resolveEndpoints({ region: "euw2.pure.cloud" }).authUrl).toBe("https://login.euw2.pure.cloud");
  });

  it("uses an explicit apiUrl for both roles unless authUrl is given", () => {
    expect(resolveEndpoints({ apiUrl: "http://127.0.0.1:8787/" })).toEqual({
      apiUrl: "http://127.0.0.1:8787",
      authUrl: "http://127.0.0.1:8787",
    });
    expect(resolveEndpoints({ apiUrl: "https://api.x.test", authUrl: "https://login.x.test" }).authUrl).toBe("https://login.x.test");
  });

  it("refuses plain http to anything but loopback so credentials never travel in clear", () => {
    expect(() => resolveEndpoints({ apiUrl: "http://api.example.com" })).toThrow(/must use https/);
  });

  it("names the known regions when the region is unknown", () => {
    expect(() => resolveEndpoints({ region: "mars-1" })).toThrow(/unknown Genesys Cloud region "mars-1".*eu-west-1/);
  });
});

describe("region table against Genesys's own SDK", () => {
  it("knows every region of the SDK's PureCloudRegionHosts, each with the SDK's domain", async () => {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const file = path.join(
      __dirname,
      "../../../node_modules/purecloud-platform-client-v2/src/purecloud-platform-client-v2/PureCloudRegionHosts.js",
    );
    const sdk = Object.fromEntries(
      [...fs.readFileSync(file, "utf8").matchAll(/^\s*([a-z0-9_]+):\s*'([^']+)'/gm)].map((m) => [m[1]!.replace(/_/g, "-"), m[2]!]),
    );
    expect(Object.keys(sdk)).toHaveLength(18);
    const { REGION_DOMAINS } = await import("../../../provider/genesys/hosts");
    expect(REGION_DOMAINS).toEqual(sdk);
    for (const [region, domain] of Object.entries(sdk)) {
      expect(resolveEndpoints({ region })).toEqual({ apiUrl: `https://api.${domain}`, authUrl: `https://login.${domain}` });
    }
  });

  it("accepts the SDK's underscore spelling of a region", () => {
    expect(resolveEndpoints({ region: "eusc_de_east_1" }).apiUrl).toBe("https://api.edee1.eusc-pure.cloud");
  });
});
