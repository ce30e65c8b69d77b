/**
 * The transport's wrappers, each around a scripted single send: what the retry wrapper resends and
 * how a call ends, what the pacing wrapper tells its gate, what the stats wrapper counts.
 */
import { describe, expect, it } from "vitest";
import { GenesysApiError } from "../../../provider/genesys/errors";
import { PacingGate } from "../../../provider/genesys/pacing";
import { newStats, withStats } from "../../../provider/genesys/recording";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../../../provider/genesys/retry";
import type { Attempt, AttemptRequest, Send } from "../../../provider/genesys/send";
import { withPacing } from "../../../provider/genesys/with-pacing";
import { type CallRequest, withRetry } from "../../../provider/genesys/with-retry";

const answer = (status: number, retryAfter?: string): Attempt => ({
  outcome: { kind: "response", status, retryAfter },
  response: { status, data: { status }, correlationId: `corr-${status}` },
});
const lost = (code: string): Attempt => ({ outcome: { kind: "network", code } });

/** A send that plays `script` in order and records every request it was given. */
function scripted(...script: Attempt[]): { send: Send; sent: AttemptRequest[] } {
  const sent: AttemptRequest[] = [];
  return {
    sent,
    send: async (req) => {
      sent.push(req);
      const next = script.shift();
      if (!next) throw new Error("the script ran out");
      return next;
    },
  };
}

function retrying(send: Send, policy: Partial<RetryPolicy> = {}) {
  const waits: number[] = [];
  let clock = 0;
  const call = withRetry(send, {
    policy: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1_000, ...policy },
    random: () => 0.5,
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms;
    },
    hostSetting: "genesys:apiUrl",
  });
  return { call, waits };
}

const get: CallRequest = {
  spec: { operation: "read thing", method: "GET", path: "/api/v2/things/1" },
  baseUrl: "https://api.test",
  headers: {},
};
const post: CallRequest = { ...get, spec: { operation: "create thing", method: "POST", path: "/api/v2/things" }, body: { name: "x" } };

describe("retry wrapper", () => {
  it("resends an idempotent call after a 500 with backoff and hands back the final answer with its attempt count", async () => {
    const { send, sent } = scripted(answer(500), answer(502), answer(200));
    const { call, waits } = retrying(send);
    const res = await call(get);
    expect(res).toEqual({ status: 200, data: { status: 200 }, correlationId: "corr-200", attempts: 3 });
    expect(waits).toEqual([50, 100]);
    expect(sent.map((r) => [r.attempt, r.url])).toEqual([
      [1, "https://api.test/api/v2/things/1"],
      [2, "https://api.test/api/v2/things/1"],
      [3, "https://api.test/api/v2/things/1"],
    ]);
  });

  it("never resends a POST that got no answer: the outcome is unknown", async () => {
    const { send, sent } = scripted(lost("ECONNRESET"));
    const err = (await retrying(send)
      .call(post)
      .catch((e: unknown) => e)) as GenesysApiError;
    expect(err).toBeInstanceOf(GenesysApiError);
    expect(err.details).toMatchObject({ outcomeUnknown: true, code: "ECONNRESET", attempts: 1 });
    expect(err.message).toBe("create thing failed: the connection was reset and the outcome is unknown, so it was not sent again blindly");
    expect(sent).toHaveLength(1);
  });

  it("resends a POST refused with 429 after the Retry-After it asked for", async () => {
    const { send } = scripted(answer(429, "2"), answer(201));
    const { call, waits } = retrying(send);
    expect((await call(post)).status).toBe(201);
    expect(waits).toEqual([2_000]);
  });

  it("does not retry a host that does not resolve, and names the setting that chose it", async () => {
    const { send, sent } = scripted(lost("ENOTFOUND"));
    const err = (await retrying(send)
      .call(get)
      .catch((e: unknown) => e)) as GenesysApiError;
    expect(err.message).toMatch(/^read thing failed: the host api\.test does not resolve \(ENOTFOUND\); check genesys:apiUrl/);
    expect(sent).toHaveLength(1);
  });

  it("does not retry an address the provider's rules refused, and keeps the refusal's reason", async () => {
    const reason =
      'callbackUrl: connection refused by the provider\'s address rules: host "lb.test" resolves to 127.0.0.1, a loopback address';
    const { send, sent } = scripted({ outcome: { kind: "network", code: "EADDRESSREFUSED", reason } });
    const err = (await retrying(send)
      .call({ ...get, spec: { ...get.spec, idempotent: true } })
      .catch((e: unknown) => e)) as GenesysApiError;
    expect(err).toBeInstanceOf(GenesysApiError);
    expect(err.message).toBe(`read thing failed: ${reason}`);
    expect(err.code).toBe("EADDRESSREFUSED");
    expect(sent).toHaveLength(1);
  });

  it("makes headers for each attempt when given a function, so each resend carries its own", async () => {
    const { send, sent } = scripted(lost("ECONNRESET"), lost("ECONNRESET"), answer(200));
    await retrying(send).call({ ...get, headers: (attempt) => ({ "X-Attempt": String(attempt) }) });
    expect(sent.map((r) => r.headers["X-Attempt"])).toEqual(["1", "2", "3"]);
  });

  it("gives up within the time budget with a message that says how long it tried", async () => {
    const { send } = scripted(...Array.from({ length: 10 }, () => lost("ECONNREFUSED")));
    const err = (await retrying(send, { budgetMs: 1_000 })
      .call(get)
      .catch((e: unknown) => e)) as GenesysApiError;
    // Waits of 50, 100, 200, 400 ms fit in 1 s; the next (500 ms) would overrun it.
    expect(err.details.attempts).toBe(5);
    expect(err.message).toMatch(/^read thing failed: the connection was refused; gave up after 5 attempts in 1 s \(retry budget 1 s\)/);
  });

  it("hands back the last answer when retries of a throttled call run out", async () => {
    const { send } = scripted(answer(429, "0"), answer(429, "0"));
    const res = await retrying(send, { maxThrottledAttempts: 2 }).call(get);
    expect(res).toMatchObject({ status: 429, attempts: 2 });
  });

  it("waits no less than the pause the host's callers share", async () => {
    const { send } = scripted({ ...answer(500), pauseMs: 3_000 }, answer(200));
    const { call, waits } = retrying(send);
    await call(get);
    expect(waits).toEqual([3_000]);
  });
});

describe("pacing wrapper", () => {
  it("pauses every caller of the gate for the Retry-After of a 429 and reports the pause", async () => {
    const gate = new PacingGate({ maxInFlight: 8 });
    const { send } = scripted(answer(429, "5"));
    const attempt = await withPacing(send, gate, { policy: DEFAULT_RETRY_POLICY, now: Date.now })({
      method: "GET",
      url: "https://api.test/x",
      headers: {},
      attempt: 1,
    });
    expect(gate.remaining()).toBeGreaterThan(4_000);
    expect(attempt.pauseMs).toBeGreaterThan(4_000);
    expect(gate.allowance).toBe(4);
  });

  it("takes one grant per attempt and gives it back, whatever the outcome", async () => {
    const gate = new PacingGate({ maxInFlight: 1 });
    const { send } = scripted(answer(200), lost("ECONNRESET"), answer(500));
    const paced = withPacing(send, gate, { policy: DEFAULT_RETRY_POLICY, now: Date.now });
    for (let attempt = 1; attempt <= 3; attempt++) await paced({ method: "GET", url: "https://api.test/x", headers: {}, attempt });
    expect(gate.granted).toBe(3);
  });
});

describe("stats wrapper", () => {
  it("counts attempts, resends and 429s", async () => {
    const stats = newStats();
    const { send } = scripted(answer(429, "0"), answer(500), answer(200));
    await retrying(withStats(send, stats)).call(get);
    expect(stats).toEqual({ tokenRequests: 0, attempts: 3, retries: 2, throttled: 1 });
  });
});
