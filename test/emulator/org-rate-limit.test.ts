import { afterEach, describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../emulator/cli";
import { RateLimiter } from "../../emulator/ratelimit";
import { type Harness, start } from "./helpers";

describe("org-wide rate limit", () => {
  it("counts every token together, on top of each token's own window", () => {
    let now = 0;
    const limiter = new RateLimiter(3, 1, () => now, { requests: 4, perSeconds: 1 });
    expect(["a", "a", "b", "b"].map((k) => limiter.take(k))).toEqual([0, 0, 0, 0]);
    // Token c has its whole own window left, but the org's is spent.
    expect(limiter.take("c")).toBe(1);
    now = 1000;
    expect(limiter.take("c")).toBe(0);
  });

  it("refused requests consume neither window", () => {
    let now = 0;
    const limiter = new RateLimiter(1, 1, () => now, { requests: 2, perSeconds: 1 });
    expect(limiter.take("a")).toBe(0);
    expect(limiter.take("a")).toBe(1); // a's own window refuses: the org keeps its second request
    expect(limiter.take("b")).toBe(0);
    now = 999;
    expect(limiter.take("c")).toBe(1);
  });

  it("is parsed from --org-rate-limit N/Ss and rejected when malformed", () => {
    expect(parseArgs(["--org-rate-limit", "20/1s"]).orgRateLimit).toEqual({ requests: 20, perSeconds: 1 });
    expect(() => parseArgs(["--org-rate-limit", "fast"])).toThrow(UsageError);
    expect(() => parseArgs(["--org-rate-limit", "fast"])).toThrow(/--org-rate-limit must look like 300\/60s/);
  });

  describe("through HTTP", () => {
    let h: Harness | undefined;
    afterEach(async () => h?.close());

    it("answers 429 with Retry-After to a second client once the org's window is spent", async () => {
      h = await start({
        clients: [
          { clientId: "runner-a", clientSecret: "a-secret" },
          { clientId: "runner-b", clientSecret: "b-secret" },
        ],
        rateLimit: { requests: 100, perSeconds: 60 },
        orgRateLimit: { requests: 3, perSeconds: 60 },
      });
      const a = await h.token("runner-a", "a-secret");
      const b = await h.token("runner-b", "b-secret");
      const statuses = [];
      for (const token of [a, a, b, b]) statuses.push((await h.api("GET", "/api/v2/webchat/brands", { token })).status);
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(statuses[3]).toBe(429);
    });
  });
});
