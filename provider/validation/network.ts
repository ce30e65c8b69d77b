import { promises as dns } from "node:dns";
import ipaddr from "ipaddr.js";
import type { ValidationIssue } from "./issues";
import { endpointHost } from "./endpoint";

/** Returns the A and AAAA addresses of a host name. Injectable so tests never touch real DNS. */
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) => {
  const records = await dns.lookup(hostname, { all: true, verbatim: true });
  return records.map((r) => r.address);
};

/**
 * Cloud instance-metadata services hand out credentials to whoever asks from inside the VM, so
 * they stay refused even when a stack allows private networks.
 */
const METADATA_ADDRESSES = new Set([
  "169.254.169.254", // AWS, Azure, GCP, OpenStack, DigitalOcean
  "169.254.170.2", // AWS ECS task metadata
  "fd00:ec2::254", // AWS IMDS over IPv6
  "100.100.100.200", // Alibaba Cloud
  "192.0.0.192", // Oracle Cloud
]);
const METADATA_HOSTS = new Set(["metadata.google.internal", "metadata.goog"]);

/** Ranges a stack may reach when it opts into private networks (internal endpoints, local dev). */
const PRIVATE_NETWORK_RANGES = new Set(["private", "loopback", "uniqueLocal", "carrierGradeNat"]);

const RANGE_NAMES: Record<string, string> = {
  private: "a private-network address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)",
  loopback: "a loopback address",
  uniqueLocal: "an IPv6 unique-local (private) address (fc00::/7)",
  carrierGradeNat: "a carrier-grade NAT address (100.64.0.0/10)",
  linkLocal: "a link-local address",
  multicast: "a multicast address",
  unspecified: "the unspecified address",
  broadcast: "the broadcast address",
  reserved: "a reserved or documentation address",
  teredo: "a Teredo tunnel address",
  ipv4Compatible: "a deprecated IPv4-compatible IPv6 address",
};

type Verdict = { allowed: true } | { allowed: false; why: string; metadata: boolean };

/** Classifies one resolved address. Addresses that embed an IPv4 address are judged by that address. */
function classifyAddress(address: string, allowPrivateNetworks: boolean): Verdict {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return { allowed: false, why: `"${address}", which is not an IP address`, metadata: false };
  }
  const canonical = parsed.toString();
  if (METADATA_ADDRESSES.has(canonical)) {
    return { allowed: false, why: `${canonical}, a cloud metadata service address, which is always refused`, metadata: true };
  }
  if (parsed.kind() === "ipv6") {
    const v6 = parsed as ipaddr.IPv6;
    const embedded = embeddedIPv4(v6);
    if (embedded) {
      const inner = classifyAddress(embedded.toString(), allowPrivateNetworks);
      return inner.allowed ? inner : { ...inner, why: `${canonical} (which embeds ${inner.why})` };
    }
    const range = v6.range();
    if (range === "unicast" && !ipaddr.IPv6.parse("2000::").match(v6, 3)) {
      return {
        allowed: false,
        why: `${canonical}, ${isV4Compatible(v6) ? RANGE_NAMES.ipv4Compatible : "an address outside the IPv6 global unicast range (2000::/3)"}`,
        metadata: false,
      };
    }
    return verdictForRange(canonical, range, allowPrivateNetworks);
  }
  return verdictForRange(canonical, parsed.range(), allowPrivateNetworks);
}

function verdictForRange(address: string, range: string, allowPrivateNetworks: boolean): Verdict {
  if (range === "unicast") return { allowed: true };
  if (allowPrivateNetworks && PRIVATE_NETWORK_RANGES.has(range)) return { allowed: true };
  return { allowed: false, why: `${address}, ${RANGE_NAMES[range] ?? `a special-purpose address (${range})`}`, metadata: false };
}

function isV4Compatible(v6: ipaddr.IPv6): boolean {
  return v6.parts.slice(0, 6).every((p) => p === 0);
}

/** IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses reach an IPv4 host. */
function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = v6.parts;
  const fromWords = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const range = v6.range();
  if (range === "ipv4Mapped" || range === "rfc6145") return fromWords(p[6]!, p[7]!);
  if (range === "rfc6052" && p[1] === 0xff9b && p[0] === 0x64 && p[2] === 0) return fromWords(p[6]!, p[7]!);
  if (range === "6to4") return fromWords(p[1]!, p[2]!);
  return undefined;
}

/**
 * The runtime (create/update) guard against server-side request forgery: the Genesys platform
 * will call endpointUrl (and webhook URIs), so it must not point at internal infrastructure.
 * Every resolved address must pass, so a name with one public and one private record is refused.
 */
export async function checkEndpointAddress(
  url: string,
  opts: { allowPrivateNetworks: boolean; resolver?: Resolver; field?: string },
): Promise<ValidationIssue[]> {
  const field = opts.field ?? "endpointUrl";
  const at = (message: string): ValidationIssue[] => [{ path: field, message }];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return at(`is not a valid URL, so its address cannot be checked; use a URL such as "https://chat.example.com/messages"`);
  }
  const host = endpointHost(parsed).toLowerCase();
  if (host === "") return at(`has no host; use a URL such as "https://chat.example.com/messages"`);
  if (isMetadataHost(host)) {
    return at(`host "${host}" is a cloud metadata service, which is always refused; point it at your own endpoint`);
  }
  if (isLocalhostName(host)) {
    return opts.allowPrivateNetworks ? [] : at(`host "${host}" is a loopback address; ${PRIVATE_HINT}`);
  }

  let addresses: string[];
  if (ipaddr.isValid(host)) {
    addresses = [host];
  } else {
    const resolver = opts.resolver ?? systemResolver;
    try {
      addresses = await resolver(host);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message ?? String(error);
      return at(
        `DNS resolution failed for ${host}: ${reason}; check the hostname is spelled correctly and resolves from where Pulumi runs`,
      );
    }
    if (addresses.length === 0) {
      return at(
        `DNS resolution failed for ${host}: no A or AAAA records; check the hostname is spelled correctly and resolves from where Pulumi runs`,
      );
    }
  }

  return addressIssues(host, addresses, { allowPrivateNetworks: opts.allowPrivateNetworks, field });
}

const PRIVATE_HINT =
  "point it at a public address, or, if the endpoint is internal on purpose, allow private networks for this stack: " +
  "pulumi config set genesys:allowPrivateNetworks true";

/**
 * The verdict on the addresses a host resolved to, one issue per refused address. Shared by the
 * check above and by the connection-time lookup (checked-lookup.ts), so both apply the same rules
 * and say the same thing.
 */
export function addressIssues(
  host: string,
  addresses: readonly string[],
  opts: { allowPrivateNetworks: boolean; field: string },
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const address of addresses) {
    const verdict = classifyAddress(address, opts.allowPrivateNetworks);
    if (verdict.allowed) continue;
    const via = address === host ? `host is ${verdict.why}` : `host "${host}" resolves to ${verdict.why}`;
    issues.push({ path: opts.field, message: verdict.metadata ? `${via}; point it at your own endpoint` : `${via}; ${PRIVATE_HINT}` });
  }
  return issues;
}

/** `localhost` and `*.localhost` name this machine's loopback whatever DNS says (RFC 6761 section 6.3). */
export function isLocalhostName(host: string): boolean {
  return host === "localhost" || host.endsWith(".localhost");
}

/** Cloud metadata services reached by name; refused like their addresses. */
export function isMetadataHost(host: string): boolean {
  return METADATA_HOSTS.has(host);
}
