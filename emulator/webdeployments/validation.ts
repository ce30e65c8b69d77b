import { invalidField, notAnObject, validationFailure, type ApiError } from "../errors";
import { CONFIGURATION_FIELDS, CONFIGURATION_READ_ONLY, DEPLOYMENT_FIELDS, DEPLOYMENT_READ_ONLY, ENUMS, LIMITS } from "./contract";
import type { ConfigurationContent, DeploymentContent } from "./model";

/**
 * Server-side validation of web deployment documents: the line of defence behind any client's own
 * checks. Every failure names its field by path (messenger.styles.primaryColor, allowedDomains[2]);
 * all of them are reported in one 400.
 */

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

class Checker {
  readonly errors: ApiError[] = [];

  fail(field: string, message: string, code: "invalid.value" | "bad.request" = "invalid.value"): undefined {
    this.errors.push(invalidField(field, message, code));
    return undefined;
  }

  unknown(obj: Obj, allowed: readonly string[], readOnly: readonly string[], prefix: string): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key) && !readOnly.includes(key)) this.fail(prefix + key, "unknown property", "bad.request");
    }
  }

  name(v: unknown, field: string, limits: { min: number; max: number }): string | undefined {
    if (typeof v !== "string") return this.fail(field, "is required and must be a string");
    if (v.trim().length < limits.min || v.length > limits.max) {
      return this.fail(field, `must be ${limits.min} to ${limits.max} characters and not blank`);
    }
    return v;
  }

  text(v: unknown, field: string, max: number): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") return this.fail(field, "must be a string");
    if (v.length > max) return this.fail(field, `must be at most ${max} characters`);
    return v;
  }

  bool(v: unknown, field: string): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") return this.fail(field, "must be true or false");
    return v;
  }

  object(v: unknown, field: string): Obj | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isObj(v)) return this.fail(field, "must be an object");
    return v;
  }

  array(v: unknown, field: string): unknown[] | undefined {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) return this.fail(field, "must be an array");
    return v;
  }

  strings(v: unknown, field: string, opts: { unique?: boolean } = {}): string[] | undefined {
    const arr = this.array(v, field);
    if (!arr) return undefined;
    const seen = new Set<string>();
    arr.forEach((s, i) => {
      if (typeof s !== "string" || s.trim() === "") this.fail(`${field}[${i}]`, "must be a non-empty string");
      else if (opts.unique && seen.has(s)) this.fail(`${field}[${i}]`, `duplicates "${s}"`);
      else seen.add(s);
    });
    return arr as string[];
  }

  oneOf(v: unknown, field: string, allowed: readonly string[]): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" || !allowed.includes(v)) return this.fail(field, `must be one of ${allowed.join(", ")}`);
    return v;
  }

  int(v: unknown, field: string, min: number, max: number): number | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      return this.fail(field, `must be an integer between ${min} and ${max}`);
    }
    return v;
  }

  ref(v: unknown, field: string, required: boolean): { id: string } | undefined {
    if ((v === undefined || v === null) && !required) return undefined;
    const o = this.object(v, field);
    if (!o) return required ? this.fail(field, "is required: an object with an id") : undefined;
    if (typeof o.id !== "string" || o.id.trim() === "") return this.fail(`${field}.id`, "is required and must be a non-empty string");
    return { id: o.id };
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw validationFailure(this.errors);
  }
}

function requireObject(body: unknown): Obj {
  if (!isObj(body)) throw notAnObject();
  return body;
}

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

function checkMessenger(c: Checker, m: Obj): void {
  c.bool(m.enabled, "messenger.enabled");
  const styles = c.object(m.styles, "messenger.styles");
  if (styles && styles.primaryColor !== undefined && styles.primaryColor !== null) {
    if (typeof styles.primaryColor !== "string" || !HEX_COLOUR.test(styles.primaryColor)) {
      c.fail("messenger.styles.primaryColor", "must be a hex colour like #1a2b3c");
    }
  }
  const launcher = c.object(m.launcherButton, "messenger.launcherButton");
  if (launcher) {
    c.oneOf(launcher.visibility, "messenger.launcherButton.visibility", ENUMS.launcherVisibility);
    c.oneOf(launcher.displayType, "messenger.launcherButton.displayType", ENUMS.launcherDisplayType);
  }
  const upload = c.object(m.fileUpload, "messenger.fileUpload");
  if (upload) {
    c.bool(upload.enableAttachments, "messenger.fileUpload.enableAttachments");
    c.array(upload.modes, "messenger.fileUpload.modes")?.forEach((mode, i) => {
      const f = `messenger.fileUpload.modes[${i}]`;
      const o = c.object(mode, f);
      if (!o) return;
      c.array(o.fileTypes, `${f}.fileTypes`)?.forEach((t, j) => c.oneOf(t, `${f}.fileTypes[${j}]`, ENUMS.fileTypes));
      c.int(o.maxFileSizeKB, `${f}.maxFileSizeKB`, LIMITS.maxFileSizeKB.min, LIMITS.maxFileSizeKB.max);
    });
  }
  const apps = c.object(m.apps, "messenger.apps");
  if (apps) {
    const conversations = c.object(apps.conversations, "messenger.apps.conversations");
    if (conversations) c.bool(conversations.enabled, "messenger.apps.conversations.enabled");
    const knowledge = c.object(apps.knowledge, "messenger.apps.knowledge");
    if (knowledge) c.bool(knowledge.enabled, "messenger.apps.knowledge.enabled");
  }
  const home = c.object(m.homeScreen, "messenger.homeScreen");
  if (home) {
    c.bool(home.enabled, "messenger.homeScreen.enabled");
    c.text(home.logoUrl, "messenger.homeScreen.logoUrl", 2048);
  }
}

/** Validates a whole configuration document (POST or PUT draft) and keeps only its writable members. */
export function parseConfiguration(body: unknown): ConfigurationContent {
  const b = requireObject(body);
  const c = new Checker();
  c.unknown(b, CONFIGURATION_FIELDS, CONFIGURATION_READ_ONLY, "");
  c.name(b.name, "name", LIMITS.configurationName);
  c.text(b.description, "description", LIMITS.description.max);
  const headless = c.object(b.headlessMode, "headlessMode");
  if (headless) c.bool(headless.enabled, "headlessMode.enabled");

  const languages = c.strings(b.languages, "languages", { unique: true });
  const defaultLanguage = c.text(b.defaultLanguage, "defaultLanguage", 64);
  if (defaultLanguage !== undefined && languages && !languages.includes(defaultLanguage)) {
    c.fail("defaultLanguage", `must be one of the languages (${languages.join(", ")})`);
  }
  c.array(b.customI18nLabels, "customI18nLabels")?.forEach((label, i) => {
    const f = `customI18nLabels[${i}]`;
    const o = c.object(label, f);
    if (!o) return;
    const language = c.text(o.language, `${f}.language`, 64);
    if (language !== undefined && languages && !languages.includes(language)) c.fail(`${f}.language`, "must be one of the languages");
    c.array(o.localizedLabels, `${f}.localizedLabels`)?.forEach((l, j) => {
      const lo = c.object(l, `${f}.localizedLabels[${j}]`);
      if (!lo) return;
      if (typeof lo.key !== "string" || lo.key === "") c.fail(`${f}.localizedLabels[${j}].key`, "is required and must be a string");
      if (typeof lo.value !== "string") c.fail(`${f}.localizedLabels[${j}].value`, "is required and must be a string");
    });
  });

  const messenger = c.object(b.messenger, "messenger");
  if (messenger) {
    checkMessenger(c, messenger);
    if (messenger.enabled === true) {
      if (!languages || languages.length === 0) c.fail("languages", "at least one language is required when the messenger is enabled");
      if (defaultLanguage === undefined) c.fail("defaultLanguage", "is required when the messenger is enabled");
    }
  }
  const position = c.object(b.position, "position");
  if (position) {
    c.oneOf(position.alignment, "position.alignment", ENUMS.positionAlignment);
    c.int(position.sideSpace, "position.sideSpace", 0, 10_000);
    c.int(position.bottomSpace, "position.bottomSpace", 0, 10_000);
  }
  const cobrowse = c.object(b.cobrowse, "cobrowse");
  if (cobrowse) {
    for (const k of ["enabled", "allowAgentControl", "allowAgentNavigation", "allowDraw"]) c.bool(cobrowse[k], `cobrowse.${k}`);
    c.strings(cobrowse.maskSelectors, "cobrowse.maskSelectors");
    c.strings(cobrowse.readonlySelectors, "cobrowse.readonlySelectors");
    c.array(cobrowse.channels, "cobrowse.channels")?.forEach((ch, i) => c.oneOf(ch, `cobrowse.channels[${i}]`, ENUMS.cobrowseChannels));
    c.array(cobrowse.pauseCriteria, "cobrowse.pauseCriteria")?.forEach((p, i) => c.object(p, `cobrowse.pauseCriteria[${i}]`));
  }
  for (const k of ["supportCenter", "journeyEvents", "video"] as const) {
    const o = c.object(b[k], k);
    if (o) c.bool(o.enabled, `${k}.enabled`);
  }
  const auth = c.object(b.authenticationSettings, "authenticationSettings");
  if (auth) {
    if (typeof auth.enabled !== "boolean") c.fail("authenticationSettings.enabled", "is required and must be true or false");
    if (typeof auth.integrationId !== "string" || auth.integrationId === "") {
      c.fail("authenticationSettings.integrationId", "is required and must be a string");
    }
    c.bool(auth.allowSessionUpgrade, "authenticationSettings.allowSessionUpgrade");
  }
  c.throwIfAny();

  const content: Obj = {};
  for (const k of CONFIGURATION_FIELDS) if (b[k] !== undefined && b[k] !== null) content[k] = b[k];
  return content as ConfigurationContent;
}

const DOMAIN = /^[^\s/?#]+$/;

function normaliseVersion(c: Checker, v: unknown): string | undefined {
  const text = typeof v === "number" ? String(v) : v;
  if (typeof text !== "string" || !/^[1-9]\d{0,8}$/.test(text)) {
    return c.fail("configuration.version", 'is required and must be a published version number ("1", "2", ...), not the draft');
  }
  return text;
}

/** Validates a whole deployment document (POST or PUT); references are checked by the caller. */
export function parseDeployment(body: unknown): DeploymentContent {
  const b = requireObject(body);
  const c = new Checker();
  c.unknown(b, DEPLOYMENT_FIELDS, DEPLOYMENT_READ_ONLY, "");
  const name = c.name(b.name, "name", LIMITS.deploymentName);
  const description = c.text(b.description, "description", LIMITS.description.max);
  const allowAllDomains = c.bool(b.allowAllDomains, "allowAllDomains") ?? false;
  const allowedDomains = c.strings(b.allowedDomains, "allowedDomains", { unique: true }) ?? [];
  allowedDomains.forEach((d, i) => {
    if (typeof d === "string" && (d.length > LIMITS.allowedDomain.max || !DOMAIN.test(d.replace(/^https?:\/\//, "")))) {
      c.fail(
        `allowedDomains[${i}]`,
        `must be a domain such as www.example.com or *.example.com (at most ${LIMITS.allowedDomain.max} characters)`,
      );
    }
  });
  if (allowAllDomains && allowedDomains.length > 0) {
    c.fail("allowAllDomains", "can be true only when allowedDomains is empty; remove allowedDomains or set allowAllDomains to false");
  }
  const supportedContent = c.ref(b.supportedContent, "supportedContent", false);
  const flow = c.ref(b.flow, "flow", false);
  const pushIntegrations = c.array(b.pushIntegrations, "pushIntegrations")?.map((p, i) => {
    const f = `pushIntegrations[${i}]`;
    const ref = c.ref(p, f, true);
    const provider = isObj(p) ? c.oneOf(p.provider, `${f}.provider`, ENUMS.pushProviders) : undefined;
    if (isObj(p) && (p.provider === undefined || p.provider === null))
      c.fail(`${f}.provider`, `is required: one of ${ENUMS.pushProviders.join(", ")}`);
    return { id: ref?.id ?? "", provider: provider ?? "" };
  });
  const configRef = c.ref(b.configuration, "configuration", true);
  const version = isObj(b.configuration) ? normaliseVersion(c, b.configuration.version) : undefined;
  c.throwIfAny();

  return {
    name: name!,
    ...(description !== undefined ? { description } : {}),
    allowAllDomains,
    allowedDomains,
    ...(supportedContent ? { supportedContent } : {}),
    ...(flow ? { flow } : {}),
    ...(pushIntegrations ? { pushIntegrations } : {}),
    configuration: { id: configRef!.id, version: version! },
  };
}
