import type { DeploymentContent } from "./model";

/**
 * Whether a page's Origin may load a deployment: Genesys adds a deployment's allowedDomains to its
 * CORS headers. An entry is a host (www.example.com), a wildcard for subdomains (*.example.com), or
 * either with a scheme; matching is on the host, case-insensitively.
 */
export function originAllowed(origin: string, deployment: DeploymentContent): boolean {
  if (deployment.allowAllDomains) return true;
  let host: string;
  try {
    host = new URL(origin).hostname.toLowerCase();
  } catch {
    return false;
  }
  return deployment.allowedDomains.some((entry) => {
    const domain = entry
      .replace(/^https?:\/\//i, "")
      .replace(/:\d+$/, "")
      .toLowerCase();
    if (domain.startsWith("*.")) return host.endsWith(domain.slice(1));
    return host === domain;
  });
}
