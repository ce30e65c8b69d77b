/**
 * The web deployment validators: what `pulumi preview` reports for a configuration or a
 * deployment before any API call, each problem with its property path and the fix.
 */
import { describe, expect, it } from "vitest";
import { validateConfiguration } from "../../../provider/resources/webDeploymentConfiguration/schema";
import { validateDeployment } from "../../../provider/resources/webDeployment/schema";
import { UNKNOWN } from "../../../provider/validation/unknown";

const config = (patch: Record<string, unknown> = {}) => ({
  name: "Web messenger",
  languages: ["en-us", "de"],
  defaultLanguage: "en-us",
  ...patch,
});

const deployment = (patch: Record<string, unknown> = {}) => ({
  name: "Support site",
  allowedDomains: ["support.example.com"],
  configuration: { id: "c0ffee00-0000-4000-8000-000000000001", version: "1" },
  ...patch,
});

function issuesOf(result: { ok: boolean; issues?: { path: string; message: string }[] }) {
  return result.ok ? [] : (result.issues ?? []);
}

describe("WebDeploymentConfiguration validation", () => {
  it("accepts a configuration using every Terraform-equivalent block", () => {
    const result = validateConfiguration(
      config({
        description: "all blocks",
        headlessMode: { enabled: false },
        customI18nLabels: [{ language: "de", localizedLabels: [{ key: "MessengerHomeHeaderTitle", value: "Hallo" }] }],
        messenger: {
          enabled: true,
          styles: { primaryColor: "#ff4f1f" },
          launcherButton: { visibility: "OnDemand", displayType: "IconAndText", icon: { url: "https://cdn.example.com/i.png" } },
          fileUpload: { enableAttachments: true, modes: [{ fileTypes: ["image/png"], maxFileSizeKB: 10240 }] },
          apps: {
            conversations: {
              enabled: true,
              autoStart: { enabled: true },
              markdown: { enabled: true },
              conversationDisconnect: { enabled: true, type: "ReadOnly" },
              conversationClear: { enabled: true },
              humanize: { enabled: true, bot: { name: "Ava", avatarUrl: "https://cdn.example.com/ava.png" } },
              notifications: { enabled: true, notificationContentType: "ExcludeMessagesContent" },
              sessionDurationSeconds: 3600,
            },
            knowledge: { enabled: true, knowledgeBase: { id: "kb-1" } },
          },
          homeScreen: { enabled: true, logoUrl: "https://cdn.example.com/logo.png" },
          sessionPersistenceType: "AcrossSubdomains",
        },
        position: { alignment: "Right", sideSpace: 10, bottomSpace: 0 },
        supportCenter: {
          enabled: true,
          knowledgeBase: { id: "kb-1" },
          customMessages: [{ defaultValue: "Welcome!", type: "Welcome" }],
          routerType: "Hash",
          screens: [
            {
              type: "Home",
              moduleSettings: [
                { type: "Search", enabled: true, detailedCategoryModuleTemplate: { active: true, sidebar: { enabled: true } } },
              ],
            },
          ],
          enabledCategories: [{ id: "cat-1", image: { source: { defaultUrl: "https://cdn.example.com/c.png" } } }],
          labelFilter: { labels: [{ id: "label-1" }] },
          styleSetting: {
            heroStyle: { backgroundColor: "#ffffff", textColor: "#000000" },
            globalStyle: { primaryColor: "#123456", fontFamily: "Inter" },
          },
          feedback: { enabled: true },
        },
        cobrowse: {
          enabled: true,
          allowAgentControl: true,
          allowAgentNavigation: true,
          allowDraw: false,
          maskSelectors: ["#card", "input[type='password']"],
          readonlySelectors: [".total"],
          channels: ["Webmessaging", "Voice"],
          pauseCriteria: [{ urlFragment: "/checkout", condition: "StartsWith" }],
        },
        journeyEvents: {
          enabled: true,
          pageviewConfig: "Once",
          clickEvents: [{ selector: "#buy", eventName: "buy-clicked" }],
          formsTrackEvents: [
            { selector: "form#signup", formName: "signup", captureDataOnFormAbandon: false, captureDataOnFormSubmit: true },
          ],
          idleEvents: [{ eventName: "idle", idleAfterSeconds: 60 }],
          inViewportEvents: [{ selector: ".promo", eventName: "promo-seen" }],
          scrollDepthEvents: [{ eventName: "half", percentage: 50 }],
          trackingSettings: { shouldKeepUrlFragment: true, ipFilters: [{ ipAddress: "192.168.1.0/24", name: "office" }] },
        },
        authenticationSettings: { enabled: true, integrationId: "int-1", allowSessionUpgrade: true },
        video: {
          enabled: true,
          agent: { allowCamera: true, background: "IMAGE", backgroundImage: { url: "https://cdn.example.com/bg.png" } },
          user: { allowCamera: true },
        },
      }),
    );
    expect(issuesOf(result)).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("lists every problem at once, each with its path and the fix", () => {
    const issues = issuesOf(
      validateConfiguration(
        config({
          name: "x".repeat(101),
          languages: ["en-us", "en-us"],
          defaultLanguage: "fr",
          messenger: { styles: { primaryColor: "orange" }, launcherButton: { visibility: "Always" } },
          supportCenter: { styleSetting: { globalStyle: { textColor: "#fff" } } },
          cobrowse: { maskSelectors: ["#card {color: red}"] },
          journeyEvents: {
            idleEvents: [{ eventName: "idle", idleAfterSeconds: 10 }],
            scrollDepthEvents: [{ eventName: "s", percentage: 101 }],
          },
        }),
      ),
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath["name"]).toMatch(/at most 100 characters \(got 101\)/);
    expect(byPath["languages[1]"]).toMatch(/duplicates languages\[0\]/);
    expect(byPath["defaultLanguage"]).toMatch(/"fr" is not among languages.*add it to languages/);
    expect(byPath["messenger.styles.primaryColor"]).toMatch(/hex colour such as "#FF4F1F" \(got "orange"\)/);
    expect(byPath["supportCenter.styleSetting.globalStyle.textColor"]).toMatch(/hex colour/);
    expect(byPath["messenger.launcherButton.visibility"]).toMatch(/"On", "Off", "OnDemand" \(got "Always"\)/);
    expect(byPath["cobrowse.maskSelectors[0]"]).toMatch(/one CSS selector/);
    expect(byPath["journeyEvents.idleEvents[0].idleAfterSeconds"]).toMatch(/at least 30/);
    expect(byPath["journeyEvents.scrollDepthEvents[0].percentage"]).toMatch(/at most 100/);
  });

  it("requires a name, at least one language and a default language", () => {
    const issues = issuesOf(validateConfiguration({ languages: [] }));
    expect(issues.map((i) => i.path).sort()).toEqual(["defaultLanguage", "languages", "name"]);
    expect(issues.find((i) => i.path === "languages")!.message).toMatch(/at least 1 entry/);
    expect(issues.find((i) => i.path === "name")!.message).toMatch(/is required/);
  });

  it("names the closest known field for a typo and refuses server-owned fields", () => {
    const issues = issuesOf(validateConfiguration(config({ messenger: { enabeld: true }, version: "3" })));
    expect(issues).toContainEqual({ path: "messenger.enabeld", message: expect.stringMatching(/did you mean "enabled"/) });
    expect(issues).toContainEqual({ path: "version", message: expect.stringMatching(/set by the server/) });
  });

  it("requires labels to be in a declared language and an image when the video background is IMAGE", () => {
    const issues = issuesOf(
      validateConfiguration(config({ customI18nLabels: [{ language: "fr" }], video: { agent: { background: "IMAGE" } } })),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(["customI18nLabels[0].language", "video.agent.backgroundImage"]);
  });

  it("does not judge values other resources have not produced yet", () => {
    const result = validateConfiguration(config({ authenticationSettings: { enabled: true, integrationId: UNKNOWN }, messenger: UNKNOWN }));
    expect(issuesOf(result)).toEqual([]);
    expect(issuesOf(validateConfiguration(config({ messenger: UNKNOWN, defaultLanguage: "fr" })))).toHaveLength(1);
  });

  it("refuses non-https asset URLs and bad IP filters", () => {
    const issues = issuesOf(
      validateConfiguration(
        config({
          messenger: { homeScreen: { logoUrl: "http://cdn.example.com/logo.png" } },
          journeyEvents: { trackingSettings: { ipFilters: [{ ipAddress: "300.1.1.1", name: "x" }] } },
        }),
      ),
    );
    expect(issues.map((i) => i.path).sort()).toEqual([
      "journeyEvents.trackingSettings.ipFilters[0].ipAddress",
      "messenger.homeScreen.logoUrl",
    ]);
  });
});

describe("WebDeployment validation", () => {
  it("accepts a deployment with domains, a flow, supported content and push integrations", () => {
    const result = validateDeployment(
      deployment({
        flowId: "flow-1",
        supportedContentId: "sc-1",
        pushIntegrations: [{ id: "p-1", provider: "FCM" }],
        allowedDomains: ["*.example.com"],
      }),
    );
    expect(issuesOf(result)).toEqual([]);
  });

  it("refuses allowAllDomains together with allowedDomains, and neither of them", () => {
    const both = issuesOf(validateDeployment(deployment({ allowAllDomains: true })));
    expect(both).toEqual([
      { path: "allowAllDomains", message: expect.stringMatching(/remove allowedDomains or set allowAllDomains: false/) },
    ]);
    const neither = issuesOf(validateDeployment(deployment({ allowedDomains: [] })));
    expect(neither).toEqual([{ path: "allowedDomains", message: expect.stringMatching(/unless allowAllDomains is true/) }]);
    expect(issuesOf(validateDeployment(deployment({ allowedDomains: undefined, allowAllDomains: true })))).toEqual([]);
  });

  it("refuses domains written as URLs, unknown push providers and unpublished versions", () => {
    const issues = issuesOf(
      validateDeployment(
        deployment({
          allowedDomains: ["https://www.example.com/path", "www.example.com", "www.example.com"],
          pushIntegrations: [{ id: "p", provider: "SMS" }],
          configuration: { id: "c", version: "draft" },
        }),
      ),
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath["allowedDomains[0]"]).toMatch(/no scheme, path/);
    expect(byPath["allowedDomains[2]"]).toMatch(/duplicates allowedDomains\[1\]/);
    expect(byPath["pushIntegrations[0].provider"]).toMatch(/"APNS", "FCM"/);
    expect(byPath["configuration.version"]).toMatch(/published version number/);
  });

  it("does not judge the configuration while preview does not know it yet", () => {
    expect(issuesOf(validateDeployment(deployment({ configuration: { id: UNKNOWN, version: UNKNOWN } })))).toEqual([]);
    expect(issuesOf(validateDeployment(deployment({ configuration: UNKNOWN })))).toEqual([]);
    expect(issuesOf(validateDeployment(deployment({ configuration: { id: UNKNOWN, version: UNKNOWN }, name: "" })))).toEqual([
      { path: "name", message: "must not be empty" },
    ]);
  });
});
