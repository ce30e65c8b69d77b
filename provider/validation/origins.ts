import { issue, type PathSegment, type ValidationIssue } from "./issues";

/**
 * Plain-http origins a developer may need for a local page; anything else must be https. Narrower
 * than loopback.ts on purpose: it is the server's own rule for origins (api-contract.md), so a
 * definition that passes here is not refused at create.
 */
const HTTP_ALLOWED_HOSTS = new Set(["localhost", "127.0.0.1"]);

const EXAMPLE = 'write it as scheme://host[:port], e.g. "https://app.example.com"';

type OriginCheck = { ok: true; origin: string } | { ok: false; message: string };

/**
 * Parses one allowedOrigins entry. Browsers compare the Origin header byte for byte, so anything
 * that is not exactly scheme://host[:port] can never match and is refused rather than guessed at.
 */
function parseOrigin(raw: string): OriginCheck {
  const fail = (message: string): OriginCheck => ({ ok: false, message });
  if (raw.trim() === "*")
    return fail(`the wildcard "*" would let any site embed the channel; list each site's origin instead, e.g. "https://app.example.com"`);
  if (/\s/.test(raw)) return fail(`must not contain spaces; ${EXAMPLE}`);
  if (raw.includes("*")) return fail(`wildcards are not supported in origins; list each origin explicitly, e.g. "https://app.example.com"`);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw);
  if (!scheme) return fail(`is missing its scheme; ${EXAMPLE}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(`is not a valid origin; ${EXAMPLE}`);
  }
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== "https" && protocol !== "http") {
    return fail(`scheme "${protocol}" is not allowed; web pages embedding the channel use https, e.g. "https://app.example.com"`);
  }
  const authority = raw.slice(scheme[0].length).split(/[/?#]/, 1)[0] ?? "";
  if (url.username !== "" || url.password !== "" || authority.includes("@")) {
    return fail(`must not contain credentials (user:password@); keep only scheme://host[:port]`);
  }
  if (url.hostname === "") return fail(`has no host; ${EXAMPLE}`);
  // A lone trailing "/" is what many people paste from the address bar; it names the same origin.
  if (url.pathname !== "/" && url.pathname !== "") {
    return fail(`must not have a path ("${url.pathname}"); an origin is only scheme://host[:port], e.g. "${url.origin}"`);
  }
  if (raw.includes("?")) return fail(`must not have a query string; an origin is only scheme://host[:port], e.g. "${url.origin}"`);
  if (raw.includes("#")) return fail(`must not have a fragment; an origin is only scheme://host[:port], e.g. "${url.origin}"`);
  if (protocol === "http" && !HTTP_ALLOWED_HOSTS.has(url.hostname)) {
    return fail(`must use https (plain http is only allowed for http://localhost and http://127.0.0.1); use "https://${url.host}"`);
  }
  return { ok: true, origin: url.origin };
}

/** Canonical form of an origin for diffs; entries that do not parse are left exactly as written. */
export function normaliseOrigin(raw: string): string {
  const parsed = parseOrigin(raw);
  return parsed.ok ? parsed.origin : raw;
}

/** Checks every string entry of allowedOrigins; non-strings are the schema's to report. */
export function checkOrigins(origins: readonly unknown[], basePath: readonly PathSegment[] = ["allowedOrigins"]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const firstIndexOf = new Map<string, number>();
  origins.forEach((entry, index) => {
    if (typeof entry !== "string") return;
    const parsed = parseOrigin(entry);
    if (!parsed.ok) {
      issues.push(issue([...basePath, index], parsed.message));
      return;
    }
    const first = firstIndexOf.get(parsed.origin);
    if (first !== undefined) {
      const firstPath = issue([...basePath, first], "").path;
      issues.push(issue([...basePath, index], `duplicates ${firstPath} (both are "${parsed.origin}" once normalised); remove one of them`));
    } else {
      firstIndexOf.set(parsed.origin, index);
    }
  });
  return issues;
}
