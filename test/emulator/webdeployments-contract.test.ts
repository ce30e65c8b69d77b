import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CONFIGURATION_FIELDS,
  CONFIGURATION_READ_ONLY,
  DEPLOYMENT_FIELDS,
  DEPLOYMENT_READ_ONLY,
  STATUSES,
} from "../../emulator/webdeployments/contract";
import { start, type Harness } from "./helpers";
import { sdkModelMembers } from "./sdk-models";

/**
 * The emulator's transcription of the contract, held against the SDK it was transcribed from: every
 * model member is accounted for, and every call of the contract's two tables that the SDK's
 * WebDeploymentsApi.js makes is served (answered by a route, not by the catch-all 404).
 */

/** Calls of WebDeploymentsApi.js outside the contract's two tables (cobrowse, JWT tokens, identity resolution). */
const OUT_OF_CONTRACT = /\/(cobrowse|token|identityresolution)\b/;

function sdkCalls(): { method: string; path: string }[] {
  const file = require.resolve("purecloud-platform-client-v2/src/purecloud-platform-client-v2/api/WebDeploymentsApi.js");
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/'(\/api\/v2\/webdeployments[^']*)',\s*\n\s*'([A-Z]+)'/g)].map((m) => ({ path: m[1]!, method: m[2]! }));
}

describe("the web deployments contract against Genesys's JS SDK", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await start();
  });
  afterAll(() => h.close());

  it("accounts for every member of the SDK's WebDeploymentConfigurationVersion and WebDeployment", () => {
    expect([...CONFIGURATION_FIELDS, ...CONFIGURATION_READ_ONLY].sort()).toEqual(
      sdkModelMembers("WebDeploymentConfigurationVersion").sort(),
    );
    // statusReason is the emulator's one documented addition (the reason for Error).
    expect([...DEPLOYMENT_FIELDS, ...DEPLOYMENT_READ_ONLY].filter((m) => m !== "statusReason").sort()).toEqual(
      sdkModelMembers("WebDeployment").sort(),
    );
    expect(STATUSES).toEqual(["Pending", "Active", "Inactive", "Error", "Deleting"]);
  });

  it("serves every call of the contract's two tables that the SDK makes", async () => {
    const calls = sdkCalls();
    const inContract = calls.filter((c) => !OUT_OF_CONTRACT.test(c.path));
    expect(inContract.map((c) => `${c.method} ${c.path}`).sort()).toEqual(
      [
        "DELETE /api/v2/webdeployments/configurations/{configurationId}",
        "DELETE /api/v2/webdeployments/deployments/{deploymentId}",
        "GET /api/v2/webdeployments/configurations",
        "GET /api/v2/webdeployments/configurations/{configurationId}/versions",
        "GET /api/v2/webdeployments/configurations/{configurationId}/versions/draft",
        "GET /api/v2/webdeployments/configurations/{configurationId}/versions/{versionId}",
        "GET /api/v2/webdeployments/deployments",
        "GET /api/v2/webdeployments/deployments/{deploymentId}",
        "GET /api/v2/webdeployments/deployments/{deploymentId}/configurations",
        "POST /api/v2/webdeployments/configurations",
        "POST /api/v2/webdeployments/configurations/{configurationId}/versions/draft/publish",
        "POST /api/v2/webdeployments/deployments",
        "PUT /api/v2/webdeployments/configurations/{configurationId}/versions/draft",
        "PUT /api/v2/webdeployments/deployments/{deploymentId}",
      ].sort(),
    );
    const token = await h.token();
    for (const { method, path } of inContract) {
      const concrete = path.replace(/\{versionId\}/, "1").replace(/\{\w+\}/g, "00000000-0000-4000-8000-000000000000");
      const r = await h.api(method, concrete, { token, ...(method === "POST" || method === "PUT" ? { body: {} } : {}) });
      // A route answers 200, 400 (empty body) or its own 404 naming the object; never the catch-all.
      expect(r.json?.message ?? "", `${method} ${path}`).not.toMatch(/^No resource at/);
      expect(r.status, `${method} ${path}`).toBeLessThan(500);
    }
  });
});
