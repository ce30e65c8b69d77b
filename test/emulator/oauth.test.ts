import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "./clock";
import { basic, brandBody, CLIENT, start, UUID_RE, type Harness } from "./helpers";

describe("OAuth client credentials", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await start({
      clients: [
        { clientId: CLIENT.id, clientSecret: CLIENT.secret },
        { clientId: "reader", clientSecret: "reader-secret", scopes: ["webchat:brand:read"] },
      ],
    });
  });
  afterAll(() => h.close());

  it("grants a bearer token for client_credentials in the form body", async () => {
    const r = await fetch(`${h.url}/oauth/token`, {
      method: "POST",
      headers: { authorization: basic(CLIENT.id, CLIENT.secret), "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("inin-correlation-id")).toMatch(UUID_RE);
    const body = (await r.json()) as Record<string, unknown>;
    expect(body).toEqual({ access_token: expect.any(String), token_type: "bearer", expires_in: 86400 });
    expect((body.access_token as string).length).toBeGreaterThanOrEqual(32);
  });

  it("grants a token when grant_type is in the query string and the body is empty", async () => {
    const r = await fetch(`${h.url}/oauth/token?grant_type=client_credentials`, {
      method: "POST",
      headers: { authorization: basic(CLIENT.id, CLIENT.secret), "content-type": "application/x-www-form-urlencoded" },
    });
    expect(r.status).toBe(200);
    const token = ((await r.json()) as { access_token: string }).access_token;
    expect((await h.api("GET", "/api/v2/webchat/brands", { token })).status).toBe(200);
  });

  it("rejects a wrong secret with 401 invalid_client", async () => {
    const r = await fetch(`${h.url}/oauth/token`, {
      method: "POST",
      headers: { authorization: basic(CLIENT.id, "wrong"), "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    expect(r.status).toBe(401);
    expect(r.headers.get("inin-correlation-id")).toMatch(UUID_RE);
    const body = (await r.json()) as Record<string, string>;
    expect(body.error).toBe("invalid_client");
    expect(body.error_description).toEqual(expect.any(String));
    expect(body.description).toEqual(expect.any(String));
  });

  it("rejects an unknown client and a missing Authorization header with 401", async () => {
    for (const headers of [{ authorization: basic("nobody", CLIENT.secret) }, {}] as Record<string, string>[]) {
      const r = await fetch(`${h.url}/oauth/token?grant_type=client_credentials`, { method: "POST", headers });
      expect(r.status).toBe(401);
      expect(((await r.json()) as { error: string }).error).toBe("invalid_client");
    }
  });

  it("rejects an unsupported grant type with 400", async () => {
    const r = await fetch(`${h.url}/oauth/token`, {
      method: "POST",
      headers: { authorization: basic(CLIENT.id, CLIENT.secret), "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=password",
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: string }).error).toBe("unsupported_grant_type");
  });

  it("answers API calls without a token with 401 authentication.required", async () => {
    const r = await h.api("GET", "/api/v2/webchat/brands");
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ code: "authentication.required", status: 401 });
    const garbage = await h.api("GET", "/api/v2/webchat/brands", { token: "not-a-real-token" });
    expect(garbage.status).toBe(401);
  });

  it("refuses a call whose scope the client lacks with 403 naming the scope", async () => {
    const token = await h.token("reader", "reader-secret");
    expect((await h.api("GET", "/api/v2/webchat/brands", { token })).status).toBe(200);
    const r = await h.api("POST", "/api/v2/webchat/brands", { token, body: brandBody() });
    expect(r.status).toBe(403);
    expect(r.json.code).toBe("missing.any.permissions");
    expect(r.json.message).toContain("webchat:brand:write");
    const hooks = await h.api("GET", "/api/v2/webhooks/webhooks", { token });
    expect(hooks.status).toBe(403);
    expect(hooks.json.message).toContain("webhooks:webhook:write");
  });

  it("stops accepting revoked tokens, for the named client only", async () => {
    await h.admin("POST", "/reset");
    const dev = await h.token();
    const reader = await h.token("reader", "reader-secret");
    const revoke = await h.admin("POST", "/tokens/revoke", { clientId: CLIENT.id });
    expect(revoke.status).toBe(200);
    expect(revoke.json).toEqual({ revoked: 1 });
    const r = await h.api("GET", "/api/v2/webchat/brands", { token: dev });
    expect(r.status).toBe(401);
    expect(r.json.code).toBe("authentication.required");
    expect((await h.api("GET", "/api/v2/webchat/brands", { token: reader })).status).toBe(200);
    expect((await h.api("GET", "/api/v2/webchat/brands", { token: await h.token() })).status).toBe(200);
  });

  it("revokes every client's tokens when no clientId is given", async () => {
    await h.admin("POST", "/reset");
    const dev = await h.token();
    const reader = await h.token("reader", "reader-secret");
    const revoke = await h.admin("POST", "/tokens/revoke", {});
    expect(revoke.status).toBe(200);
    expect(revoke.json).toEqual({ revoked: 2 });
    for (const token of [dev, reader]) {
      const r = await h.api("GET", "/api/v2/webchat/brands", { token });
      expect([r.status, r.json.code]).toEqual([401, "authentication.required"]);
    }
    // Revocation ends the tokens, not the clients: each can log in again.
    expect((await h.api("GET", "/api/v2/webchat/brands", { token: await h.token("reader", "reader-secret") })).status).toBe(200);
  });

  it("counts issued tokens per client", async () => {
    await h.admin("POST", "/reset");
    await h.token();
    await h.token();
    await h.token("reader", "reader-secret");
    const all = await h.admin("GET", "/tokens/count");
    expect(all.json).toEqual({ issued: 3, byClient: { [CLIENT.id]: 2, reader: 1 } });
    expect((await h.admin("GET", `/tokens/count?clientId=${CLIENT.id}`)).json.issued).toBe(2);
  });
});

describe("token lifetime, on a clock the test drives", () => {
  it("accepts a token until tokenTtlSeconds have passed, then answers 401", async () => {
    const clock = new ManualClock();
    const h = await start({ tokenTtlSeconds: 300, clock });
    try {
      const token = await h.token();
      clock.advance(299_999);
      expect((await h.api("GET", "/api/v2/webchat/brands", { token })).status).toBe(200);
      clock.advance(1);
      const r = await h.api("GET", "/api/v2/webchat/brands", { token });
      expect(r.status).toBe(401);
      expect(r.json.code).toBe("authentication.required");
    } finally {
      await h.close();
    }
  });
});
