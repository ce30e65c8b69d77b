/**
 * The SSRF rules applied where they count: at connection time. A check that resolves a name and a
 * connection that resolves it again can get different answers (DNS rebinding: public for the
 * check, 127.0.0.1 for the connection), so every outbound connection the provider makes to a host
 * a user named goes through this `lookup` hook: it resolves the name once, refuses the connection
 * when any answer breaks the rules of checkEndpointAddress, and hands the socket exactly the
 * addresses it judged. Each connection (each retry attempt) asks again and is judged again.
 */
import type { LookupAddress, LookupOptions } from "node:dns";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { addressIssues, isLocalhostName, isMetadataHost, type Resolver, systemResolver } from "./network";

/** The `code` of a connection refused by these rules; the transport never retries it. */
export const ADDRESS_REFUSED = "EADDRESSREFUSED";

class AddressRefusedError extends Error {
  readonly code = ADDRESS_REFUSED;
  constructor(message: string) {
    super(message);
    this.name = "AddressRefusedError";
  }
}

export interface CheckedLookupOptions {
  allowPrivateNetworks: boolean;
  /** The same resolver the create/update check used (tests inject one; default the system's). */
  resolver?: Resolver;
  /** The input the host came from, named in the refusal ("callbackUrl"). */
  field: string;
}

/** Loopback answers for `localhost`: what the check allowed by name is what the socket gets. */
const LOCALHOST = ["127.0.0.1", "::1"];

/** The addresses a connection to `hostname` may use, or the reason it may not be made. */
async function allowedAddresses(hostname: string, opts: CheckedLookupOptions): Promise<string[]> {
  const host = hostname.toLowerCase();
  const refuse = (why: string): never => {
    throw new AddressRefusedError(`${opts.field}: connection refused by the provider's address rules: ${why}`);
  };
  if (isMetadataHost(host)) refuse(`host "${host}" is a cloud metadata service, which is always refused; point it at your own endpoint`);
  let addresses: string[];
  if (isLocalhostName(host)) {
    addresses = LOCALHOST;
  } else {
    addresses = await (opts.resolver ?? systemResolver)(host);
    if (addresses.length === 0) {
      throw Object.assign(new Error(`${host} has no A or AAAA records`), { code: "ENOTFOUND", hostname: host });
    }
  }
  const issues = addressIssues(host, addresses, { allowPrivateNetworks: opts.allowPrivateNetworks, field: opts.field });
  const first = issues[0];
  if (first) refuse(first.message);
  return addresses;
}

/** A `lookup` for http(s) agents and net.connect that enforces the provider's address rules. */
export function checkedLookup(opts: CheckedLookupOptions): LookupFunction {
  return (hostname, options: LookupOptions, callback) => {
    allowedAddresses(hostname, opts).then(
      (addresses) => {
        const wanted = familyOf(options.family);
        const usable: LookupAddress[] = addresses
          .map((address) => ({ address, family: ipaddr.parse(address).kind() === "ipv6" ? 6 : 4 }))
          .filter((a) => wanted === 0 || a.family === wanted);
        const first = usable[0];
        if (!first) {
          const err = Object.assign(new Error(`${hostname} has no IPv${wanted} address`), { code: "ENOTFOUND", hostname });
          callback(err, "", 0);
        } else if (options.all) {
          callback(null, usable);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, "", 0),
    );
  };
}

function familyOf(family: LookupOptions["family"]): 0 | 4 | 6 {
  if (family === 4 || family === "IPv4") return 4;
  if (family === 6 || family === "IPv6") return 6;
  return 0;
}
