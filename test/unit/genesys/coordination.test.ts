import { describe, expect, it } from "vitest";
import { describeDbError, redactUrl, windowFor } from "../../../provider/genesys/coordination";

describe("shared budget windows", () => {
  it("keeps a per-second rate as whole calls per one-second window plus 100 ms of slack", () => {
    expect(windowFor(5)).toEqual({ points: 5, durationSeconds: 1.1 });
    expect(windowFor(0.5)).toEqual({ points: 1, durationSeconds: 2.1 });
  });

  it("shapes the window like the server's when told (Genesys: 300 per 60 s), with 5% slack", () => {
    expect(windowFor(5, 60)).toEqual({ points: 300, durationSeconds: 63 });
    expect(windowFor(4, 5)).toEqual({ points: 20, durationSeconds: 5.25 });
  });
});

describe("database errors in messages", () => {
  it("never carry the password", () => {
    expect(redactUrl("postgres://runner:s3cret@db:5432/team?sslmode=require")).toBe("postgres://runner:***@db:5432/team");
    expect(describeDbError(new Error("bad postgres://runner:s3cret@db/x"))).not.toContain("s3cret");
    expect(describeDbError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toMatch(/connection refused/);
  });
});
