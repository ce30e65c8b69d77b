/**
 * Checks go through the same audited path as every operation: a refusal leaves one record with
 * the time the check took, a pass leaves none, and webhooks and channels use the same verbs.
 */
import { describe, expect, it } from "vitest";
import { checkChannel } from "../../../provider/resources/channel/lifecycle";
import { auditedCheck } from "../../../provider/runtime/context";
import { checkWebhook } from "../../../provider/resources/webhook/lifecycle";
import { auditLines, testContext } from "../../support/provider-context";

/** Nothing listens here: a check that tried the API would fail. */
const NO_API = "http://127.0.0.1:9";
const creds = { clientId: "audited-check-client", clientSecret: "audited-check-secret-8c2e" };

describe("auditedCheck", () => {
  it("records a refusal with the measured duration, the issues and the payload's hash, and returns the failures", async () => {
    const ctx = testContext(NO_API, creds);
    const result = await auditedCheck(ctx, "genesys:Example", { name: "slow" }, () => {
      const until = Date.now() + 20;
      while (Date.now() < until); // a check that takes a measurable time
      return { ok: false, issues: [{ path: "name", message: "must be longer" }] };
    });
    expect(result).toEqual({ ok: false, failures: [{ property: "name", reason: "must be longer" }] });
    const records = auditLines(ctx.auditDir);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ action: "check", resourceType: "genesys:Example", resourceName: "slow", outcome: "failure" });
    expect(records[0]!.durationMs as number).toBeGreaterThanOrEqual(15);
    expect(String(records[0]!.error)).toContain("name: must be longer");
    expect(String(records[0]!.payloadHash)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("leaves no record for a check that passes", async () => {
    const ctx = testContext(NO_API, creds);
    expect(await auditedCheck(ctx, "genesys:Example", { name: "fine" }, () => ({ ok: true, value: 42 }))).toEqual({ ok: true, value: 42 });
    expect(auditLines(ctx.auditDir)).toEqual([]);
  });

  it("lets an error of the check itself through, audited, instead of reporting it as a refusal", async () => {
    const ctx = testContext(NO_API, creds);
    await expect(
      auditedCheck(ctx, "genesys:Example", {}, () => {
        throw new Error("validator crashed");
      }),
    ).rejects.toThrow("validator crashed");
    expect(auditLines(ctx.auditDir)).toMatchObject([{ action: "check", outcome: "failure", resourceName: "(unnamed)" }]);
  });

  it("audits refused channel and webhook checks with the same action and their own resource type", async () => {
    const ctx = testContext(NO_API, creds);
    await checkChannel(ctx, { name: "c", endpointUrl: "ftp://nope" });
    await checkWebhook(ctx, { name: "w", brandId: "b1", callbackUrl: "not a url" });
    expect(auditLines(ctx.auditDir).map((r) => [r.action, r.resourceType, r.outcome])).toEqual([
      ["check", "genesys:WebMessagingChannel", "failure"],
      ["check", "genesys:LoadBalancerWebhook", "failure"],
    ]);
  });
});
