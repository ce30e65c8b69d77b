/**
 * A WebDeploymentConfiguration's inputs and their validator: pure and synchronous, so `pulumi preview` lists
 * every problem with its property path and the fix before any API call. The input mirrors the
 * API's WebDeploymentConfigurationVersion model (camelCase, the SDK's nesting), so what passes
 * here is sent as it is: docs/resources.md maps each Terraform attribute onto these paths.
 */
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { validateAgainst } from "../../validation/against-schema";
import { issue, type ValidationIssue, type ValidationResult } from "../../validation/issues";
import { CONFIGURATION_SERVER_FIELDS, WEB_DEPLOYMENT_ENUMS as E, WEB_DEPLOYMENT_LIMITS as L } from "../../validation/web-deployment-limits";

const HEX_COLOUR = /^#[0-9A-Fa-f]{6}$/;
const LANGUAGE = /^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$/;

const colour = z.string().regex(HEX_COLOUR, { error: 'must be a hex colour such as "#FF4F1F"' });
const language = z.string().regex(LANGUAGE, { error: 'must be a lower-case language tag such as "en-us" or "de"' });
const httpsUrl = z.string().refine(isHttpsUrl, { error: 'must be an absolute https:// URL such as "https://cdn.example.com/logo.png"' });
const selector = z.string().refine(isPlausibleSelector, {
  error: 'must be one CSS selector such as "#card-number" or "input[type=password]" (no braces, semicolons or unbalanced brackets)',
});
const text = z.string().min(1);
const bool = z.boolean().optional();
const enabledOnly = z.strictObject({ enabled: bool });
const entityRef = z.strictObject({ id: text });
const imageRef = z.strictObject({ source: z.strictObject({ defaultUrl: httpsUrl.optional() }).optional() });

const conversations = z.strictObject({
  enabled: bool,
  showAgentTypingIndicator: bool,
  showUserTypingIndicator: bool,
  autoStart: enabledOnly.optional(),
  markdown: enabledOnly.optional(),
  conversationDisconnect: z.strictObject({ enabled: bool, type: z.enum(E.conversationDisconnectType).optional() }).optional(),
  conversationClear: enabledOnly.optional(),
  humanize: z
    .strictObject({ enabled: bool, bot: z.strictObject({ name: z.string().optional(), avatarUrl: httpsUrl.optional() }).optional() })
    .optional(),
  notifications: z.strictObject({ enabled: bool, notificationContentType: z.enum(E.notificationContentType).optional() }).optional(),
  sessionDurationSeconds: z.int().min(1).optional(),
});

const messenger = z.strictObject({
  enabled: bool,
  styles: z.strictObject({ primaryColor: colour.optional().describe('A hex colour such as "#FF4F1F".') }).optional(),
  launcherButton: z
    .strictObject({
      visibility: z.enum(E.launcherVisibility).optional(),
      displayType: z.enum(E.launcherDisplayType).optional(),
      icon: z.strictObject({ url: httpsUrl.optional() }).optional(),
    })
    .optional(),
  fileUpload: z
    .strictObject({
      enableAttachments: bool,
      modes: z
        .array(
          z.strictObject({
            fileTypes: z.array(z.enum(E.fileTypes)).optional(),
            maxFileSizeKB: z.int().min(L.maxFileSizeKB.min).max(L.maxFileSizeKB.max).optional().describe("1..10240 (10 MB)."),
          }),
        )
        .optional(),
    })
    .optional(),
  apps: z
    .strictObject({
      conversations: conversations.optional(),
      knowledge: z.strictObject({ enabled: bool, knowledgeBase: entityRef.optional() }).optional(),
    })
    .optional(),
  homeScreen: z.strictObject({ enabled: bool, logoUrl: httpsUrl.optional() }).optional(),
  sessionPersistenceType: z.enum(E.sessionPersistenceType).optional(),
});

const supportCenter = z.strictObject({
  enabled: bool,
  knowledgeBase: entityRef.optional(),
  customMessages: z.array(z.strictObject({ defaultValue: text, type: z.enum(E.supportCenterMessageType) })).optional(),
  routerType: z.enum(E.supportCenterRouterType).optional(),
  screens: z
    .array(
      z.strictObject({
        type: z.enum(E.supportCenterScreenType),
        moduleSettings: z.array(
          z.strictObject({
            type: z.enum(E.supportCenterModuleType),
            enabled: z.boolean(),
            compactCategoryModuleTemplate: z.strictObject({ active: bool }).optional(),
            detailedCategoryModuleTemplate: z.strictObject({ active: bool, sidebar: enabledOnly.optional() }).optional(),
          }),
        ),
      }),
    )
    .optional(),
  enabledCategories: z.array(z.strictObject({ id: text, image: imageRef.optional() })).optional(),
  labelFilter: z.strictObject({ labels: z.array(entityRef) }).optional(),
  styleSetting: z
    .strictObject({
      heroStyle: z
        .strictObject({ backgroundColor: colour.optional(), textColor: colour.optional(), image: imageRef.optional() })
        .optional(),
      globalStyle: z
        .strictObject({
          backgroundColor: colour.optional(),
          primaryColor: colour.optional(),
          primaryColorDark: colour.optional(),
          primaryColorLight: colour.optional(),
          textColor: colour.optional(),
          fontFamily: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  feedback: enabledOnly.optional(),
});

const selectorTrigger = z.strictObject({ selector, eventName: text });

const journeyEvents = z.strictObject({
  enabled: bool,
  excludedQueryParameters: z.array(z.string()).optional(),
  shouldKeepUrlFragment: bool,
  searchQueryParameters: z.array(z.string()).optional(),
  pageviewConfig: z.enum(E.pageviewConfig).optional(),
  clickEvents: z.array(selectorTrigger).optional(),
  formsTrackEvents: z
    .array(z.strictObject({ selector, formName: text, captureDataOnFormAbandon: z.boolean(), captureDataOnFormSubmit: z.boolean() }))
    .optional(),
  idleEvents: z
    .array(z.strictObject({ eventName: text, idleAfterSeconds: z.int().min(L.idleAfterSeconds.min).optional().describe("At least 30.") }))
    .optional(),
  inViewportEvents: z.array(selectorTrigger).optional(),
  scrollDepthEvents: z
    .array(
      z.strictObject({ eventName: text, percentage: z.int().min(L.scrollPercentage.min).max(L.scrollPercentage.max).describe("0..100.") }),
    )
    .optional(),
  trackingSettings: z
    .strictObject({
      excludedQueryParameters: z.array(z.string()).max(L.trackingQueryParameters.max).optional(),
      shouldKeepUrlFragment: bool,
      searchQueryParameters: z.array(z.string()).max(L.trackingQueryParameters.max).optional(),
      ipFilters: z
        .array(
          z.strictObject({
            ipAddress: z.string().refine(isIpOrCidr, { error: 'must be an IP address or CIDR range such as "192.168.1.0/24"' }),
            name: text,
          }),
        )
        .max(L.ipFilters.max)
        .optional()
        .describe("Up to 10 addresses or CIDR ranges whose visits are not tracked."),
    })
    .optional(),
});

const video = z.strictObject({
  enabled: bool,
  channels: z.array(z.string()).optional(),
  agent: z
    .strictObject({
      allowCamera: bool,
      allowScreenShare: bool,
      allowMicrophone: bool,
      background: z.enum(E.videoBackground).optional(),
      backgroundImage: z.strictObject({ url: httpsUrl.optional() }).optional(),
    })
    .optional(),
  user: z.strictObject({ allowCamera: bool, allowScreenShare: bool, allowMicrophone: bool }).optional(),
});

export const configurationSchema = z.strictObject({
  name: z.string().min(L.configurationName.min).max(L.configurationName.max).describe("The configuration's name, unique per org."),
  description: z.string().max(L.description.max).optional().describe("Free text shown in the Genesys Cloud UI."),
  headlessMode: enabledOnly.optional().describe("Run the Messenger without its UI (the page drives it through the Messenger SDK)."),
  languages: z.array(language).min(1).describe('Languages the Messenger offers, such as ["en-us"].'),
  defaultLanguage: language.describe("One of languages: the Messenger's language when the visitor's is not offered."),
  customI18nLabels: z
    .array(
      z.strictObject({
        language: language.describe("One of languages: the language these labels are in."),
        localizedLabels: z
          .array(z.strictObject({ key: z.enum(E.localizedLabelKey), value: z.string().describe("The label's text.") }))
          .optional()
          .describe("The labels that replace the Messenger's defaults in that language."),
      }),
    )
    .optional()
    .describe("The Messenger's own labels, reworded per language."),
  messenger: messenger.optional().describe("The Messenger's look and apps."),
  position: z
    .strictObject({
      alignment: z.enum(E.positionAlignment).optional(),
      sideSpace: z.int().min(0).optional(),
      bottomSpace: z.int().min(0).optional(),
    })
    .optional()
    .describe("Where the launcher sits on the page: alignment and the space beside and below it."),
  supportCenter: supportCenter.optional().describe("The knowledge portal inside the Messenger."),
  cobrowse: z
    .strictObject({
      enabled: bool,
      allowAgentControl: bool,
      allowAgentNavigation: bool,
      allowDraw: bool,
      maskSelectors: z.array(selector).optional().describe("CSS selectors masked while the screen is shared."),
      channels: z.array(z.enum(E.cobrowseChannel)).optional(),
      readonlySelectors: z.array(selector).optional().describe("CSS selectors the agent sees but cannot change."),
      pauseCriteria: z.array(z.strictObject({ urlFragment: text, condition: z.enum(E.pauseCondition) })).optional(),
    })
    .optional()
    .describe("Co-browsing: the agent sees, and may steer, the visitor's page."),
  journeyEvents: journeyEvents.optional().describe("Which visitor activity (page views, clicks, forms, idling, scrolling) is tracked."),
  authenticationSettings: z
    .strictObject({ enabled: z.boolean(), integrationId: text.describe("The authentication integration's id."), allowSessionUpgrade: bool })
    .optional()
    .describe("Authenticated messaging through an OAuth integration."),
  video: video.optional().describe("Video and screen sharing with the agent."),
});

/** A configuration as the API stores it (the draft document); server-owned fields excluded. */
export type ConfigurationDefinition = z.output<typeof configurationSchema>;

/** Every problem at once: shape and bounds from the schema, then the rules that span fields. */
export function validateConfiguration(input: unknown): ValidationResult<ConfigurationDefinition> {
  return validateAgainst(configurationSchema, input, {
    rootName: "a web deployment configuration",
    serverSet: { "": CONFIGURATION_SERVER_FIELDS },
    rules: crossFieldIssues,
  });
}

function crossFieldIssues(input: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (typeof input.name === "string" && input.name.length > 0 && input.name.trim() === "") {
    issues.push(issue(["name"], "must not be blank; give the configuration a name people will recognise"));
  }
  const languages = Array.isArray(input.languages) ? input.languages.filter((l): l is string => typeof l === "string") : undefined;
  if (languages) {
    const first = new Map<string, number>();
    (input.languages as unknown[]).forEach((l, i) => {
      if (typeof l !== "string") return;
      const earlier = first.get(l);
      if (earlier === undefined) first.set(l, i);
      else issues.push(issue(["languages", i], `duplicates languages[${earlier}] ("${l}"); list each language once`));
    });
    if (typeof input.defaultLanguage === "string" && LANGUAGE.test(input.defaultLanguage) && !languages.includes(input.defaultLanguage)) {
      issues.push(
        issue(
          ["defaultLanguage"],
          `"${input.defaultLanguage}" is not among languages (${languages.map((l) => `"${l}"`).join(", ")}); add it to languages or pick one of them`,
        ),
      );
    }
    const labels = input.customI18nLabels;
    if (Array.isArray(labels)) {
      labels.forEach((label, i) => {
        const lang = isRecord(label) ? label.language : undefined;
        if (typeof lang === "string" && LANGUAGE.test(lang) && !languages.includes(lang)) {
          issues.push(
            issue(["customI18nLabels", i, "language"], `"${lang}" is not among languages; add it to languages or remove these labels`),
          );
        }
      });
    }
  }
  const agent = pick(input, ["video", "agent"]);
  if (isRecord(agent) && agent.background === "IMAGE" && !isRecord(agent.backgroundImage)) {
    issues.push(
      issue(["video", "agent", "backgroundImage"], 'is required when background is "IMAGE"; add backgroundImage: { url: "https://..." }'),
    );
  }
  const knowledge = pick(input, ["messenger", "apps", "knowledge"]);
  if (isRecord(knowledge) && knowledge.enabled === true && !isRecord(knowledge.knowledgeBase)) {
    issues.push(
      issue(
        ["messenger", "apps", "knowledge", "knowledgeBase"],
        "is required when the knowledge app is enabled; add knowledgeBase: { id: <knowledge base id> }",
      ),
    );
  }
  return issues;
}

function pick(root: unknown, path: string[]): unknown {
  let current = root;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname !== "" && !/\s/.test(value);
  } catch {
    return false;
  }
}

function isIpOrCidr(value: string): boolean {
  if (ipaddr.isValid(value)) return true;
  try {
    ipaddr.parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Not a CSS parser: it refuses what is certainly not one selector (a rule with braces, a list of
 * declarations, brackets that never close), which is what a typo in stack code produces.
 */
function isPlausibleSelector(value: string): boolean {
  if (value.trim() === "" || /[{};]/.test(value)) return false;
  const closing: Record<string, string> = { "[": "]", "(": ")" };
  const stack: string[] = [];
  let quote: string | undefined;
  for (const ch of value) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "[" || ch === "(") stack.push(closing[ch]!);
    else if (ch === "]" || ch === ")") {
      if (stack.pop() !== ch) return false;
    }
  }
  return stack.length === 0 && quote === undefined;
}
