/**
 * Which channel endpoints may be handed to a load balancer. A WHATWG URL lets characters such as
 * `;` `(` `)` `$` through in its host, and a load balancer's control interface takes the host as
 * a word of a command line (HAProxy's Runtime API splits commands on `;`), so only a real name
 * goes on: RFC 1123 labels or an IP literal. The provider refuses the same hosts at preview; this
 * is the receiver's own check, since anyone who can edit a channel can make Genesys sign an event.
 */
import { isIP } from "node:net";
import { z } from "zod";

const dnsName = z.hostname();

/** Why the endpoint's host cannot go to a load balancer, or undefined when it can. */
export function endpointHostProblem(endpointUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch {
    return "is not a URL";
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) !== 0 || dnsName.safeParse(host).success) return undefined;
  return "host is not a DNS name or an IP address";
}
