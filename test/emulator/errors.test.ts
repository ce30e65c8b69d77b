import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "./clock";
import { basic, brandBody, CLIENT, start, UUID_RE, type Harness, type Res } from "./helpers";

const BRANDS = "/api/v2/webchat/brands";

function expectGenesysError(r: Res, status: number, code: string): void {
  expect(r.status).toBe(status);
  const id = r.headers.get("inin-correlation-id");
  expect(id).toMatch(UUID_RE);
  expect(r.json).toEqual({
    message: expect.any(String),
    code,
    status,
    messageParams: expect.any(Object),
    contextId: id,
    details: expect.any(Array),
    errors: expect.any(Array),
  });
}

describe("correlation ids and error bodies", () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await start({
      rateLimit: { requests: 1000, perSeconds: 60 },
      clients: [
        { clientId: CLIENT.id, clientSecret: CLIENT.secret },
        { clientId: "reader", clientSecret: "r", scopes: ["webchat:brand:read"] },
      ],
    });
    token = await h.token();
  });
  afterAll(() => h.close());

  it("puts a fresh correlation id on every successful response", async () => {
    const created = await h.api("POST", BRANDS, { token, body: brandBody() });
    const got = await h.api("GET", `${BRANDS}/${created.json.id}`, { token });
    const list = await h.api("GET", BRANDS, { token });
    const del = await h.api("DELETE", `${BRANDS}/${created.json.id}`, { token });
    const ids = [created, got, list, del].map((r) => r.headers.get("inin-correlation-id"));
    for (const id of ids) expect(id).toMatch(UUID_RE);
    expect(new Set(ids).size).toBe(ids.length);
    expect([created.status, got.status, list.status, del.status]).toEqual([201, 200, 200, 204]);
  });

  it("shapes 400, 401, 403, 404 and 409 like Genesys, with contextId equal to the header", async () => {
    expectGenesysError(await h.api("POST", BRANDS, { token, body: { name: "" } }), 400, "invalid.value");
    expectGenesysError(await h.api("GET", BRANDS), 401, "authentication.required");
    const reader = await h.token("reader", "r");
    expectGenesysError(await h.api("DELETE", `${BRANDS}/x`, { token: reader }), 403, "missing.any.permissions");
    expectGenesysError(await h.api("GET", `${BRANDS}/00000000-0000-4000-8000-000000000000`, { token }), 404, "not.found");
    const body = brandBody();
    await h.api("POST", BRANDS, { token, body });
    expectGenesysError(await h.api("POST", BRANDS, { token, body }), 409, "conflict");
  });

  it("answers unknown routes with a Genesys 404 and a correlation id", async () => {
    expectGenesysError(await h.api("GET", "/api/v2/nothing/here"), 404, "not.found");
    expectGenesysError(await h.api("PATCH", BRANDS, { token }), 404, "not.found");
  });

  it("adds a correlation id to OAuth errors too", async () => {
    const r = await fetch(`${h.url}/oauth/token?grant_type=client_credentials`, {
      method: "POST",
      headers: { authorization: basic("x", "y") },
    });
    expect(r.status).toBe(401);
    expect(r.headers.get("inin-correlation-id")).toMatch(UUID_RE);
  });

  it("maps a wrong media type to a Genesys-shaped 415", async () => {
    const r = await fetch(`${h.url}${BRANDS}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/xml" },
      body: "<brand/>",
    });
    expect(r.status).toBe(415);
    expect(((await r.json()) as { contextId: string }).contextId).toBe(r.headers.get("inin-correlation-id"));
  });
});

describe("rate limiting, on a clock the test drives", () => {
  it("answers the request over the limit with 429 and Retry-After: the whole seconds left in the window, per token", async () => {
    const clock = new ManualClock();
    const h = await start({ rateLimit: { requests: 3, perSeconds: 2 }, clock });
    try {
      const t1 = await h.token();
      for (let i = 0; i < 3; i++) expect((await h.api("GET", BRANDS, { token: t1 })).status).toBe(200);
      const limited = await h.api("GET", BRANDS, { token: t1 });
      expectGenesysError(limited, 429, "too.many.requests.retry.after");
      expect(limited.headers.get("retry-after")).toBe("2");
      expect(limited.json.message).toContain("[2] seconds");

      // The token endpoint is not limited per token, and a second token has its own budget.
      const t2 = await h.token();
      expect((await h.api("GET", BRANDS, { token: t2 })).status).toBe(200);

      clock.advance(1_000);
      expect((await h.api("GET", BRANDS, { token: t1 })).headers.get("retry-after")).toBe("1");
      clock.advance(999); // a millisecond before the window closes: still limited, and never "0"
      const late = await h.api("GET", BRANDS, { token: t1 });
      expect([late.status, late.headers.get("retry-after")]).toEqual([429, "1"]);
      clock.advance(1);
      for (let i = 0; i < 3; i++) expect((await h.api("GET", BRANDS, { token: t1 })).status).toBe(200);
      expect((await h.api("GET", BRANDS, { token: t1 })).status).toBe(429);
    } finally {
      await h.close();
    }
  });

  it("uses the contract's default of 300 requests per minute per token", async () => {
    const clock = new ManualClock();
    const h = await start({ clock });
    try {
      const token = await h.token();
      const statuses = new Map<number, number>();
      for (let i = 0; i < 301; i++) {
        const s = (await h.api("GET", BRANDS, { token })).status;
        statuses.set(s, (statuses.get(s) ?? 0) + 1);
      }
      expect(Object.fromEntries(statuses)).toEqual({ 200: 300, 429: 1 });
      clock.advance(59_000);
      expect((await h.api("GET", BRANDS, { token })).headers.get("retry-after")).toBe("1");
      clock.advance(1_000);
      expect((await h.api("GET", BRANDS, { token })).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
