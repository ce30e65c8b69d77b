import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "./clock";
import { brandBody, eventually, start, UUID_RE, type Harness } from "./helpers";

const BRANDS = "/api/v2/webchat/brands";

describe("fault injection", () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await start({ rateLimit: { requests: 10_000, perSeconds: 60 } });
  });
  afterAll(() => h.close());
  beforeEach(async () => {
    await h.admin("POST", "/reset");
    token = await h.token();
  });

  async function fault(rule: Record<string, unknown>): Promise<{ id: string }> {
    const r = await h.admin("POST", "/faults", rule);
    expect(r.status).toBe(201);
    expect(r.json.id).toMatch(UUID_RE);
    return r.json;
  }

  it("answers a matching request with the fault's status and a Genesys body, then recovers", async () => {
    await fault({ method: "GET", path: BRANDS, status: 503, count: 1 });
    const r = await h.api("GET", BRANDS, { token });
    expect(r.status).toBe(503);
    expect(r.json).toMatchObject({ code: "service.unavailable", status: 503, contextId: r.headers.get("inin-correlation-id") });
    expect((await h.api("GET", BRANDS, { token })).status).toBe(200);
  });

  it("leaves requests that do not match the method or path alone", async () => {
    await fault({ method: "POST", path: BRANDS, status: 500 });
    await fault({ path: "/api/v2/webhooks", status: 500 });
    expect((await h.api("GET", BRANDS, { token })).status).toBe(200);
    expect((await h.api("POST", BRANDS, { token, body: brandBody() })).status).toBe(500);
  });

  it("treats path as a regular expression as well as a prefix", async () => {
    await fault({ path: "^/api/v2/webchat/brands/[^/]+$", status: 502 });
    expect((await h.api("GET", BRANDS, { token })).status).toBe(200);
    const r = await h.api("GET", `${BRANDS}/abc`, { token });
    expect(r.status).toBe(502);
    expect(r.json.code).toBe("bad.gateway");
  });

  it("sends 429 with Retry-After in seconds", async () => {
    await fault({ status: 429, retryAfter: 7, count: 1 });
    const r = await h.api("GET", BRANDS, { token });
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("7");
    expect(r.json.code).toBe("too.many.requests.retry.after");
  });

  it("sends Retry-After as an HTTP-date when given one", async () => {
    const date = new Date(Date.now() + 3000).toUTCString();
    await fault({ status: 429, retryAfter: date, count: 1 });
    const r = await h.api("GET", BRANDS, { token });
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe(date);
  });

  it("never answers a hung request, so the client times out, and logs it as unanswered", async () => {
    const rule = await fault({ path: BRANDS, hang: true, count: 1 });
    const err = await fetch(`${h.url}${BRANDS}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(300),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe("TimeoutError");
    expect((await h.api("GET", BRANDS, { token })).status).toBe(200);
    const log = (await h.admin("GET", "/requests")).json.requests.filter((e: { path: string }) => e.path === BRANDS);
    expect(log.map((e: { status: number; fault?: string }) => [e.status, e.fault])).toEqual([
      [0, rule.id],
      [200, undefined],
    ]);
  });

  it("resets the connection without a response", async () => {
    await fault({ path: BRANDS, reset: true, count: 1 });
    const err = await h.api("GET", BRANDS, { token }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError); // fetch failed: socket closed
    expect((await h.api("GET", BRANDS, { token })).status).toBe(200);
  });

  it("with afterHandler, commits the POST and then resets the connection", async () => {
    await fault({ method: "POST", path: BRANDS, reset: true, afterHandler: true, count: 1 });
    const body = brandBody();
    const err = await h.api("POST", BRANDS, { token, body }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TypeError);
    const list = await h.api("GET", `${BRANDS}?name=${encodeURIComponent(body.name)}`, { token });
    expect(list.json.total).toBe(1);
    // The retry the client would make now meets the name it already took.
    expect((await h.api("POST", BRANDS, { token, body })).status).toBe(409);
  });

  it("with afterHandler, commits the POST and then answers 500", async () => {
    await fault({ method: "POST", path: BRANDS, status: 500, afterHandler: true, count: 1 });
    const body = brandBody();
    const r = await h.api("POST", BRANDS, { token, body });
    expect(r.status).toBe(500);
    expect(r.json).toMatchObject({ code: "internal.server.error", contextId: r.headers.get("inin-correlation-id") });
    expect(r.headers.get("location")).toBeNull();
    expect((await h.api("GET", `${BRANDS}?name=${encodeURIComponent(body.name)}`, { token })).json.total).toBe(1);
  });

  it("applies a counted fault to exactly the next N matching requests", async () => {
    const rule = await fault({ path: BRANDS, status: 500, count: 2 });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await h.api("GET", BRANDS, { token })).status);
    expect(statuses).toEqual([500, 500, 200, 200]);
    const listed = (await h.admin("GET", "/faults")).json.faults;
    expect(listed).toEqual([expect.objectContaining({ id: rule.id, hits: 2, count: 0 })]);
  });

  it("applies a probabilistic fault in a sequence fixed by its seed", async () => {
    async function run(seed: number): Promise<number[]> {
      await h.admin("DELETE", "/faults");
      await fault({ path: BRANDS, status: 503, probability: 0.5, seed });
      const out = [];
      for (let i = 0; i < 24; i++) out.push((await h.api("GET", BRANDS, { token })).status);
      return out;
    }
    const a = await run(42);
    const b = await run(42);
    const c = await run(7);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toContain(503);
    expect(a).toContain(200);
  });

  it("also shapes token requests, so clients can be tested against a failing login", async () => {
    await fault({ path: "/oauth/token", status: 503, count: 1 });
    await expect(h.token()).rejects.toThrow(/503/);
    expect(await h.token()).toEqual(expect.any(String));
  });

  it("lists and clears fault rules, and rejects malformed ones naming the field", async () => {
    await fault({ status: 500, path: "/nowhere" });
    const second = await fault({ status: 500, path: "/elsewhere" });
    expect((await h.admin("GET", "/faults")).json.faults).toHaveLength(2);
    expect((await h.admin("DELETE", `/faults/${second.id}`)).status).toBe(204);
    expect((await h.admin("DELETE", `/faults/${second.id}`)).status).toBe(404);
    expect((await h.admin("GET", "/faults")).json.faults).toEqual([expect.objectContaining({ path: "/nowhere" })]);
    expect((await h.admin("DELETE", "/faults")).status).toBe(204);
    expect((await h.admin("GET", "/faults")).json.faults).toHaveLength(0);
    for (const [rule, field] of [
      [{ status: 200 }, "status"],
      [{ probability: 2, status: 500 }, "probability"],
      [{ retryAfter: "soon", status: 429 }, "retryAfter"],
      [{ path: "/x" }, "status"],
      [{ status: 500, hang: true }, "status"],
      [{ status: 500, colour: "red" }, "colour"],
    ] as const) {
      const r = await h.admin("POST", "/faults", rule);
      expect(r.status).toBe(400);
      expect(r.json.message).toContain(field);
    }
  });
});

describe("fault delays, on a clock the test drives", () => {
  it("holds the response until delayMs have passed on the emulator's clock, then answers normally", async () => {
    const clock = new ManualClock();
    const h = await start({ clock });
    try {
      const token = await h.token();
      const rule = (await h.admin("POST", "/faults", { path: BRANDS, delayMs: 300, count: 1 })).json;
      let answered = false;
      const delayed = h.api("GET", BRANDS, { token }).then((r) => ((answered = true), r));
      await clock.waitForSleepers(1);
      expect(clock.waits).toEqual([300]);
      clock.advance(299);
      expect(clock.pending).toBe(1);
      expect(answered).toBe(false);
      clock.advance(1);
      expect((await delayed).status).toBe(200);

      // The counted rule is spent: the next request waits on nothing.
      expect((await h.api("GET", BRANDS, { token })).status).toBe(200);
      expect(clock.waits).toEqual([300]);
      const log = (await h.admin("GET", "/requests")).json.requests.filter((e: { path: string }) => e.path === BRANDS);
      expect(log.map((e: { status: number; fault?: string }) => [e.status, e.fault])).toEqual([
        [200, rule.id],
        [200, undefined],
      ]);
    } finally {
      await h.close();
    }
  });
});

describe("shutdown with a hung request", () => {
  it("closes even while a hang fault holds a connection, and the held client sees its connection end", async () => {
    const h = await start();
    const token = await h.token();
    await h.admin("POST", "/faults", { hang: true });
    const pending = fetch(`${h.url}${BRANDS}`, { headers: { authorization: `Bearer ${token}` } }).catch((e: unknown) => e);
    // The emulator logs a hung request (status 0) the moment it decides not to answer it.
    await eventually(async () => {
      const log = (await h.admin("GET", "/requests")).json.requests as { path: string; status: number }[];
      return log.some((e) => e.path === BRANDS && e.status === 0) ? true : undefined;
    });
    // Were close() to wait for the held connection, this would never resolve and the test would time out.
    await h.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});
