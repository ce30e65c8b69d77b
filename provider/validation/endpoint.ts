import { isIP } from "node:net";
import { z } from "zod";
import { issue, type PathSegment, type ValidationIssue } from "./issues";

const ENDPOINT_SCHEMES = new Set(["https", "wss"]);

/** Parses endpointUrl, or explains why it cannot be used. Pure: no DNS here (see network.ts). */
export function checkEndpointUrl(raw: string, path: readonly PathSegment[] = ["endpointUrl"]): { url?: URL; issues: ValidationIssue[] } {
  const fail = (message: string) => ({ issues: [issue(path, message)] });
  if (/\s/.test(raw)) return fail(`must not contain spaces; use an https:// or wss:// URL such as "https://chat.example.com/messages"`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(`is not a valid URL; use an https:// or wss:// URL such as "https://chat.example.com/messages"`);
  }
  const protocol = url.protocol.slice(0, -1);
  const issues: ValidationIssue[] = [];
  if (!ENDPOINT_SCHEMES.has(protocol)) {
    const secure = protocol === "ws" ? "wss" : "https";
    issues.push(
      issue(
        path,
        `scheme "${protocol}" is not allowed; the endpoint must be reached over TLS with https:// or wss:// (e.g. "${secure}://${url.host || "chat.example.com"}${url.host ? url.pathname : "/messages"}")`,
      ),
    );
  }
  if (url.hostname === "") issues.push(issue(path, `has no host; use a URL such as "https://chat.example.com/messages"`));
  else if (!isEndpointHost(endpointHost(url))) {
    // WHATWG URLs let characters such as ; ( ) $ _ through in a host. Load balancers and their
    // control interfaces take the host as a word in a command line, so only a real name is passed on.
    issues.push(
      issue(
        path,
        `host "${url.hostname}" is not a DNS name or an IP address; use letters, digits, hyphens and dots only ` +
          `(each label 1-63 characters, not starting or ending with "-"), e.g. "https://chat.example.com/messages"`,
      ),
    );
  }
  if (url.username !== "" || url.password !== "") {
    // Credentials in the URL would be stored in Pulumi state and returned by the API in plain text.
    issues.push(
      issue(path, `must not contain credentials (user:password@); authenticate the endpoint another way and remove them from the URL`),
    );
  }
  if (raw.includes("#")) issues.push(issue(path, `must not have a fragment ("#..."); fragments are never sent to a server, so remove it`));
  return issues.length > 0 ? { issues } : { url, issues };
}

/** The host name a certificate must cover and DNS must resolve: lower-case, no IPv6 brackets, no trailing dot. */
export function endpointHost(url: URL): string {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return host.endsWith(".") ? host.slice(0, -1) : host;
}

const dnsName = z.hostname();

/** A host name of RFC 1123 labels (what DNS and certificates can name), or an IPv4/IPv6 literal. */
function isEndpointHost(host: string): boolean {
  return isIP(host) !== 0 || dnsName.safeParse(host).success;
}
