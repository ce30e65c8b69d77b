import { describe, expect, it } from "vitest";
import { resolveEndpoints } from "../../../provider/genesys/hosts";
import { isLoopbackHost } from "../../../provider/validation/loopback";
import { validateWebhook } from "../../../provider/resources/webhook/schema";

const webhook = (callbackUrl: string) => validateWebhook({ name: "lb", brandId: "b-1", callbackUrl });

describe("plain http only to this machine: one rule for the API host and webhook callbacks", () => {
  it("knows localhost, the whole 127/8 range and ::1 as loopback, and nothing else", () => {
    for (const host of ["localhost", "127.0.0.1", "127.8.9.10", "[::1]", "::1"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["10.0.0.1", "0.0.0.0", "localhost.example.com", "128.0.0.1", "[::2]", ""]) expect(isLoopbackHost(host)).toBe(false);
  });

  it("lets a webhook call back over http to any loopback address, and names the fix elsewhere", () => {
    for (const url of ["http://localhost:8788/sync", "http://127.0.0.2:9000/sync", "http://[::1]:9000/sync"]) {
      expect(webhook(url)).toMatchObject({ ok: true });
    }
    expect(webhook("http://10.0.0.5/sync")).toEqual({
      ok: false,
      issues: [{ path: "callbackUrl", message: "must use https (http only to localhost); got http:" }],
    });
  });

  it("lets the API and login hosts be plain http on the same addresses only", () => {
    for (const apiUrl of ["http://localhost:8787", "http://127.0.0.2:8787", "http://[::1]:8787"]) {
      expect(resolveEndpoints({ apiUrl }).apiUrl).toBe(apiUrl);
    }
    expect(() => resolveEndpoints({ apiUrl: "http://10.0.0.5:8787" })).toThrow(/genesys:apiUrl must use https/);
  });
});
