/**
 * The provider's preview-time limits for web deployments agree with what the emulator, the
 * independent oracle transcribed from Genesys's SDK, enforces: a definition that passes `check`
 * is never refused by the server for a rule both know.
 */
import { describe, expect, it } from "vitest";
import * as contract from "../../../emulator/webdeployments/contract";
import { WEB_DEPLOYMENT_ENUMS, WEB_DEPLOYMENT_LIMITS } from "../../../provider/validation/web-deployment-limits";

const sorted = (values: readonly string[]) => [...values].sort();

describe("web deployment limits: provider and emulator agree", () => {
  it("on name, description, file size and domain bounds", () => {
    expect(WEB_DEPLOYMENT_LIMITS.configurationName).toEqual(contract.LIMITS.configurationName);
    expect(WEB_DEPLOYMENT_LIMITS.deploymentName).toEqual(contract.LIMITS.deploymentName);
    expect(WEB_DEPLOYMENT_LIMITS.description.max).toBe(contract.LIMITS.description.max);
    expect(WEB_DEPLOYMENT_LIMITS.maxFileSizeKB).toEqual(contract.LIMITS.maxFileSizeKB);
    expect(WEB_DEPLOYMENT_LIMITS.allowedDomain.max).toBe(contract.LIMITS.allowedDomain.max);
  });

  it("on the enums both check", () => {
    expect(sorted(WEB_DEPLOYMENT_ENUMS.launcherVisibility)).toEqual(sorted(contract.ENUMS.launcherVisibility));
    expect(sorted(WEB_DEPLOYMENT_ENUMS.launcherDisplayType)).toEqual(sorted(contract.ENUMS.launcherDisplayType));
    expect(sorted(WEB_DEPLOYMENT_ENUMS.positionAlignment)).toEqual(sorted(contract.ENUMS.positionAlignment));
    expect(sorted(WEB_DEPLOYMENT_ENUMS.fileTypes)).toEqual(sorted(contract.ENUMS.fileTypes));
    expect(sorted(WEB_DEPLOYMENT_ENUMS.cobrowseChannel)).toEqual(sorted(contract.ENUMS.cobrowseChannels));
    expect(sorted(WEB_DEPLOYMENT_ENUMS.pushProvider)).toEqual(sorted(contract.ENUMS.pushProviders));
    expect(sorted(WEB_DEPLOYMENT_ENUMS.status)).toEqual(sorted(contract.STATUSES));
  });
});
