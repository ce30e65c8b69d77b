/** Diffs of the web deployment resources: what a second `up` or a refresh counts as a change. */
import { describe, expect, it } from "vitest";
import { diffConfiguration } from "../../../provider/resources/webDeploymentConfiguration/lifecycle";
import { diffDeployment } from "../../../provider/resources/webDeployment/lifecycle";
import { UNKNOWN } from "../../../provider/validation/unknown";

const cfg = {
  name: "Messenger",
  languages: ["en-us"],
  defaultLanguage: "en-us",
  messenger: { enabled: true, styles: { primaryColor: "#112233" } },
};
const cfgState = { ...cfg, configurationId: "c-1", version: "3", status: "Active", unpublishedChanges: false };

const dep = { name: "Site", allowedDomains: ["www.example.com"], configuration: { id: "c-1", version: "3" } };
const depState = { ...dep, allowAllDomains: false, deploymentId: "d-1", status: "Active", snippet: "<script>" };

describe("WebDeploymentConfiguration diff", () => {
  it("sees no change in key order, unset members or outputs", () => {
    const reordered = {
      messenger: { styles: { primaryColor: "#112233" }, enabled: true },
      defaultLanguage: "en-us",
      languages: ["en-us"],
      name: "Messenger",
      description: undefined,
    };
    expect(diffConfiguration(cfgState, reordered)).toEqual({ changes: false, replaces: [], diffs: [] });
  });

  it("names the top-level blocks that changed and never replaces", () => {
    const diff = diffConfiguration(cfgState, {
      ...cfg,
      messenger: { enabled: true, styles: { primaryColor: "#445566" } },
      description: "new",
    });
    expect(diff).toEqual({ changes: true, replaces: [], diffs: ["description", "messenger"] });
  });

  it("counts a draft left unpublished as a change, so up publishes it", () => {
    expect(diffConfiguration({ ...cfgState, unpublishedChanges: true }, cfg)).toEqual({
      changes: true,
      replaces: [],
      diffs: ["unpublishedChanges"],
    });
  });

  it("ignores adoptExistingId, which steers the provider but is not sent", () => {
    expect(diffConfiguration({ ...cfgState, adoptExistingId: "c-1" }, cfg).changes).toBe(false);
  });
});

describe("WebDeployment diff", () => {
  it("never counts Pending as a change, but counts Error", () => {
    expect(diffDeployment({ ...depState, status: "Pending" }, dep).changes).toBe(false);
    expect(diffDeployment({ ...depState, status: "Active" }, dep).changes).toBe(false);
    expect(diffDeployment({ ...depState, status: "Error" }, dep).diffs).toEqual(["status"]);
  });

  it("follows a new configuration version, and one not known yet during a preview", () => {
    expect(diffDeployment(depState, { ...dep, configuration: { id: "c-1", version: "4" } }).diffs).toEqual(["configuration"]);
    expect(diffDeployment(depState, { ...dep, configuration: { id: "c-1", version: UNKNOWN } }).diffs).toEqual(["configuration"]);
  });

  it("treats an absent allowAllDomains as false and an absent description as empty", () => {
    expect(diffDeployment({ ...depState, description: "" }, { ...dep, allowAllDomains: false }).changes).toBe(false);
    expect(diffDeployment(depState, { ...dep, allowedDomains: [], allowAllDomains: true }).diffs).toEqual([
      "allowAllDomains",
      "allowedDomains",
    ]);
  });
});
