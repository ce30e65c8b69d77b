import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { isLoopbackHost } from "./config";
import {
  BRAND_LIMITS,
  CHANNEL_TYPES,
  DEFAULT_DELIVERY_POLICY,
  DEFAULT_HEALTH_CHECK_INTERVAL,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_LIMITS,
  type ChannelType,
  type WebhookEventType,
} from "./contract";
import { invalidField, notAnObject, validationFailure, type ApiError } from "./errors";
import type { BrandInput, EventFilter, WebhookInput } from "./model";

/**
 * Server-side re-validation of everything the client validates: the client's checks give early, friendly
 * errors, these are the line of defence. Every failure names its field.
 */

type Obj = Record<string, unknown>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const BRAND_FIELDS = new Set(["name", "description", "endpointUrl", "allowedOrigins", "channelTypes", "settings", "version"]);
/** Server-owned fields a client may echo back after a GET; accepted and ignored. */
const BRAND_READ_ONLY = new Set(["id", "status", "dateCreated", "dateModified", "selfUri"]);
const SETTINGS_FIELDS = new Set(["maxConcurrentSessions", "rateLimitThreshold", "tlsCertificateChain", "healthCheckInterval"]);
const SETTINGS_READ_ONLY = new Set(["healthStatus", "lastHealthCheck"]);
const WEBHOOK_FIELDS = new Set(["name", "uri", "eventFilters", "type", "enabled", "deliveryPolicy", "secret"]);
const WEBHOOK_READ_ONLY = new Set(["id", "hasSecret", "dateCreated", "dateModified", "selfUri"]);

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function requireObjectBody(body: unknown): Obj {
  if (!isObj(body)) throw notAnObject();
  return body;
}

/** A PUT may echo the entity's id, but only the one in its path (`which`: how the path names it). */
export function checkBodyId(body: unknown, id: string, which = "the id in the path"): void {
  const given = (body as Obj).id;
  if (given !== undefined && given !== id) throw invalidField("id", `must match ${which}`);
}

/** An optional object body (the admin API's): none at all reads as {}. */
export function objectOrEmpty(body: unknown): Obj {
  if (body === undefined || body === null || body === "") return {};
  return requireObjectBody(body);
}

function unknownProps(obj: Obj, allowed: Set<string>, readOnly: Set<string>, prefix: string, errors: ApiError[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key) && !readOnly.has(key)) errors.push(invalidField(prefix + key, "unknown property", "bad.request"));
  }
}

function intInRange(v: unknown, field: string, min: number, max: number, errors: ApiError[]): number | undefined {
  if (typeof v !== "number" || !Number.isInteger(v)) {
    errors.push(invalidField(field, `must be an integer between ${min} and ${max}`));
    return undefined;
  }
  if (v < min || v > max) {
    errors.push(invalidField(field, `must be between ${min} and ${max}, got ${v}`));
    return undefined;
  }
  return v;
}

function name(v: unknown, field: string, errors: ApiError[]): string | undefined {
  if (typeof v !== "string") {
    errors.push(invalidField(field, "is required and must be a string"));
    return undefined;
  }
  if (v.trim().length < BRAND_LIMITS.name.min || v.length > BRAND_LIMITS.name.max) {
    errors.push(invalidField(field, `must be ${BRAND_LIMITS.name.min} to ${BRAND_LIMITS.name.max} characters and not blank`));
    return undefined;
  }
  return v;
}

function parseUrl(v: string): URL | undefined {
  try {
    return new URL(v);
  } catch {
    return undefined;
  }
}

function endpointUrl(v: unknown, errors: ApiError[]): string | undefined {
  const url = typeof v === "string" ? parseUrl(v) : undefined;
  if (!url || (url.protocol !== "https:" && url.protocol !== "wss:") || url.hostname === "") {
    errors.push(invalidField("endpointUrl", "must be an absolute https:// or wss:// URL"));
    return undefined;
  }
  if (url.username || url.password) {
    errors.push(invalidField("endpointUrl", "must not contain credentials"));
    return undefined;
  }
  if ((v as string).includes("#")) {
    errors.push(invalidField("endpointUrl", "must not have a fragment"));
    return undefined;
  }
  return v as string;
}

/** Plain http is only for a developer's local page, as the client's validator allows. */
const HTTP_ORIGIN_HOSTS = new Set(["localhost", "127.0.0.1"]);

function allowedOrigins(v: unknown, errors: ApiError[]): string[] | undefined {
  if (!Array.isArray(v) || v.length === 0) {
    errors.push(invalidField("allowedOrigins", "must be a non-empty list of origins"));
    return undefined;
  }
  let ok = true;
  const seen = new Map<string, number>();
  v.forEach((o, i) => {
    const field = `allowedOrigins[${i}]`;
    const url = typeof o === "string" ? parseUrl(o) : undefined;
    // An origin is scheme://host[:port] and nothing else; URL.origin is its canonical form, and a browser
    // compares the Origin header byte for byte, so anything else could never match.
    const valid =
      url !== undefined &&
      (url.protocol === "https:" || url.protocol === "http:") &&
      !o.includes("*") &&
      (url.origin === o || `${url.origin}/` === o);
    if (!valid) {
      ok = false;
      errors.push(invalidField(field, "must be an origin such as https://app.example.com (scheme, host, optional port; no path)"));
      return;
    }
    if (url.protocol === "http:" && !HTTP_ORIGIN_HOSTS.has(url.hostname)) {
      ok = false;
      errors.push(invalidField(field, "must use https (plain http only for localhost and 127.0.0.1)"));
      return;
    }
    const first = seen.get(url.origin);
    if (first !== undefined) {
      ok = false;
      errors.push(invalidField(field, `duplicates allowedOrigins[${first}]`));
      return;
    }
    seen.set(url.origin, i);
  });
  return ok ? (v as string[]) : undefined;
}

function channelTypes(v: unknown, errors: ApiError[]): ChannelType[] | undefined {
  if (!Array.isArray(v) || v.length === 0) {
    errors.push(invalidField("channelTypes", `must be a non-empty list of ${CHANNEL_TYPES.join(", ")}`));
    return undefined;
  }
  const bad = v.findIndex((t) => !(CHANNEL_TYPES as readonly unknown[]).includes(t));
  if (bad >= 0) {
    errors.push(invalidField(`channelTypes[${bad}]`, `must be one of ${CHANNEL_TYPES.join(", ")}`));
    return undefined;
  }
  const dup = v.findIndex((t, i) => v.indexOf(t) !== i);
  if (dup >= 0) {
    errors.push(invalidField(`channelTypes[${dup}]`, `duplicates channelTypes[${v.indexOf(v[dup])}]`));
    return undefined;
  }
  return v as ChannelType[];
}

const PEM_BLOCK = /^\s*-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*$/;

/**
 * One PEM certificate per element, leaf first, each issued by the next, currently valid, and the leaf
 * covering the endpoint's host. Cheap enough for a write path, and what a real gateway would refuse anyway.
 */
function certificateChain(v: unknown, endpoint: string | undefined, errors: ApiError[]): string[] | undefined {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    errors.push(invalidField("settings.tlsCertificateChain", "must be a list of PEM certificates"));
    return undefined;
  }
  const before = errors.length;
  const certs: X509Certificate[] = [];
  const now = Date.now();
  v.forEach((pem: unknown, i) => {
    const field = `settings.tlsCertificateChain[${i}]`;
    if (typeof pem !== "string" || !PEM_BLOCK.test(pem)) {
      errors.push(invalidField(field, "must be one PEM-encoded X.509 certificate"));
      return;
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      errors.push(invalidField(field, "cannot be parsed as an X.509 certificate"));
      return;
    }
    if (Date.parse(cert.validTo) < now) errors.push(invalidField(field, `expired on ${cert.validTo}`));
    else if (Date.parse(cert.validFrom) > now) errors.push(invalidField(field, `is not valid until ${cert.validFrom}`));
    certs.push(cert);
  });
  if (errors.length > before) return undefined;
  for (let i = 0; i + 1 < certs.length; i++) {
    const [cert, issuer] = [certs[i]!, certs[i + 1]!];
    if (!cert.checkIssued(issuer) || !cert.verify(issuer.publicKey)) {
      errors.push(invalidField(`settings.tlsCertificateChain[${i}]`, "is not issued by the next certificate in the chain"));
    }
  }
  const host = endpoint !== undefined ? parseUrl(endpoint)?.hostname.replace(/^\[|\]$/g, "") : undefined;
  const covers = (cert: X509Certificate, h: string): boolean => (isIP(h) ? cert.checkIP(h) : cert.checkHost(h)) !== undefined;
  if (certs.length > 0 && host !== undefined && !covers(certs[0]!, host)) {
    errors.push(invalidField("settings.tlsCertificateChain[0]", `does not cover the endpointUrl host "${host}"`));
  }
  return errors.length === before ? (v as string[]) : undefined;
}

export interface ParsedBrand {
  input: BrandInput;
  version?: number;
}

export function parseBrand(body: unknown, opts: { requireVersion: boolean }): ParsedBrand {
  const b = requireObjectBody(body);
  const errors: ApiError[] = [];
  unknownProps(b, BRAND_FIELDS, BRAND_READ_ONLY, "", errors);

  const n = name(b.name, "name", errors);
  let description: string | undefined;
  if (b.description !== undefined) {
    if (typeof b.description !== "string" || b.description.length > BRAND_LIMITS.description.max) {
      errors.push(invalidField("description", `must be a string of at most ${BRAND_LIMITS.description.max} characters`));
    } else description = b.description;
  }
  const url = endpointUrl(b.endpointUrl, errors);
  const origins = allowedOrigins(b.allowedOrigins, errors);
  const types = channelTypes(b.channelTypes, errors);

  let settings: BrandInput["settings"] | undefined;
  if (!isObj(b.settings)) {
    errors.push(invalidField("settings", "is required and must be an object"));
  } else {
    const s = b.settings;
    unknownProps(s, SETTINGS_FIELDS, SETTINGS_READ_ONLY, "settings.", errors);
    const L = BRAND_LIMITS;
    const mcs = intInRange(
      s.maxConcurrentSessions,
      "settings.maxConcurrentSessions",
      L.maxConcurrentSessions.min,
      L.maxConcurrentSessions.max,
      errors,
    );
    const rlt = intInRange(s.rateLimitThreshold, "settings.rateLimitThreshold", L.rateLimitThreshold.min, L.rateLimitThreshold.max, errors);
    const hci =
      s.healthCheckInterval === undefined
        ? DEFAULT_HEALTH_CHECK_INTERVAL
        : intInRange(s.healthCheckInterval, "settings.healthCheckInterval", L.healthCheckInterval.min, L.healthCheckInterval.max, errors);
    const chain = certificateChain(s.tlsCertificateChain, url, errors);
    if (mcs !== undefined && rlt !== undefined && hci !== undefined && chain !== undefined) {
      settings = { maxConcurrentSessions: mcs, rateLimitThreshold: rlt, tlsCertificateChain: chain, healthCheckInterval: hci };
    }
  }

  let version: number | undefined;
  if (opts.requireVersion) {
    if (typeof b.version !== "number" || !Number.isInteger(b.version) || b.version < 1) {
      errors.push(invalidField("version", "is required and must be the integer version last read"));
    } else version = b.version;
  }

  if (errors.length > 0) throw validationFailure(errors);
  const input: BrandInput = { name: n!, endpointUrl: url!, allowedOrigins: origins!, channelTypes: types!, settings: settings! };
  if (description !== undefined) input.description = description;
  return { input, version };
}

function isAllowedWebhookUri(v: string): boolean {
  const url = parseUrl(v);
  if (!url || url.username || url.password) return false;
  if (url.protocol === "https:") return url.hostname !== "";
  // Plain http would expose signed payloads on the wire, so only a receiver on this machine may use it.
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

export function parseWebhook(body: unknown): WebhookInput {
  const b = requireObjectBody(body);
  const errors: ApiError[] = [];
  unknownProps(b, WEBHOOK_FIELDS, WEBHOOK_READ_ONLY, "", errors);
  const n = name(b.name, "name", errors);

  let uri: string | undefined;
  if (typeof b.uri !== "string" || !isAllowedWebhookUri(b.uri)) {
    errors.push(invalidField("uri", "must be an https:// URL, or http:// to a loopback address"));
  } else uri = b.uri;

  let filters: EventFilter[] | undefined;
  if (!Array.isArray(b.eventFilters) || b.eventFilters.length === 0) {
    errors.push(invalidField("eventFilters", "must be a non-empty list of {eventType, brandId?}"));
  } else {
    const parsed: EventFilter[] = [];
    b.eventFilters.forEach((f: unknown, i) => {
      const field = `eventFilters[${i}]`;
      if (!isObj(f)) return errors.push(invalidField(field, "must be an object"));
      unknownProps(f, new Set(["eventType", "brandId"]), new Set(), `${field}.`, errors);
      if (!(WEBHOOK_EVENT_TYPES as readonly unknown[]).includes(f.eventType)) {
        return errors.push(invalidField(`${field}.eventType`, `must be one of ${WEBHOOK_EVENT_TYPES.join(", ")}`));
      }
      const filter: EventFilter = { eventType: f.eventType as WebhookEventType };
      if (f.brandId !== undefined && f.brandId !== null) {
        if (typeof f.brandId !== "string" || !UUID.test(f.brandId)) {
          return errors.push(invalidField(`${field}.brandId`, "must be a brand id (uuid)"));
        }
        filter.brandId = f.brandId;
      }
      return parsed.push(filter);
    });
    filters = parsed;
  }

  if (b.type !== undefined && b.type !== "rest") errors.push(invalidField("type", 'must be "rest"'));
  let enabled = true;
  if (b.enabled !== undefined) {
    if (typeof b.enabled !== "boolean") errors.push(invalidField("enabled", "must be a boolean"));
    else enabled = b.enabled;
  }

  const policy: { retryCount: number; retryInterval: number } = { ...DEFAULT_DELIVERY_POLICY };
  if (b.deliveryPolicy !== undefined) {
    if (!isObj(b.deliveryPolicy)) {
      errors.push(invalidField("deliveryPolicy", "must be an object"));
    } else {
      const p = b.deliveryPolicy;
      unknownProps(p, new Set(["retryCount", "retryInterval"]), new Set(), "deliveryPolicy.", errors);
      const W = WEBHOOK_LIMITS;
      if (p.retryCount !== undefined) {
        const v = intInRange(p.retryCount, "deliveryPolicy.retryCount", W.retryCount.min, W.retryCount.max, errors);
        if (v !== undefined) policy.retryCount = v;
      }
      if (p.retryInterval !== undefined) {
        const v = intInRange(p.retryInterval, "deliveryPolicy.retryInterval", W.retryInterval.min, W.retryInterval.max, errors);
        if (v !== undefined) policy.retryInterval = v;
      }
    }
  }

  let secret: string | null | undefined;
  if (b.secret === null) secret = null;
  else if (b.secret !== undefined) {
    if (typeof b.secret !== "string" || b.secret.length === 0 || b.secret.length > WEBHOOK_LIMITS.secretMaxLength) {
      errors.push(invalidField("secret", `must be a non-empty string of at most ${WEBHOOK_LIMITS.secretMaxLength} characters`));
    } else secret = b.secret;
  }

  if (errors.length > 0) throw validationFailure(errors);
  return { name: n!, uri: uri!, eventFilters: filters!, type: "rest", enabled, deliveryPolicy: policy, secret };
}
