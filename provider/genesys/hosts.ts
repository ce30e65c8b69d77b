/**
 * Genesys Cloud regions and their domains (API on `api.<domain>`, login on `login.<domain>`):
 * all 18 entries of the JS SDK's PureCloudRegionHosts (purecloud-platform-client-v2 262.x), with
 * the SDK's `us_east_1` keys written the way AWS-style region names are written in stack config.
 */
import { isLoopbackHost } from "../validation/loopback";

export const REGION_DOMAINS: Record<string, string> = {
  "us-east-1": "mypurecloud.com",
  "us-east-2": "use2.us-gov-pure.cloud",
  "us-west-2": "usw2.pure.cloud",
  "ca-central-1": "cac1.pure.cloud",
  "mx-central-1": "mxc1.pure.cloud",
  "sa-east-1": "sae1.pure.cloud",
  "eu-west-1": "mypurecloud.ie",
  "eu-west-2": "euw2.pure.cloud",
  "eu-central-1": "mypurecloud.de",
  "eu-central-2": "euc2.pure.cloud",
  "eusc-de-east-1": "edee1.eusc-pure.cloud",
  "me-central-1": "mec1.pure.cloud",
  "ap-south-1": "aps1.pure.cloud",
  "ap-southeast-1": "apse1.pure.cloud",
  "ap-southeast-2": "mypurecloud.com.au",
  "ap-northeast-1": "mypurecloud.jp",
  "ap-northeast-2": "apne2.pure.cloud",
  "ap-northeast-3": "apne3.pure.cloud",
};

export interface Endpoints {
  apiUrl: string;
  authUrl: string;
}

/**
 * Resolves where to send API and login calls. `region` may be a region name (eu-west-1) or a
 * domain (mypurecloud.ie); an explicit apiUrl wins, and authUrl then defaults to it (the emulator
 * serves both). Credentials never travel over plain http except to loopback.
 */
export function resolveEndpoints(opts: { region?: string; apiUrl?: string; authUrl?: string }): Endpoints {
  let apiUrl: string;
  let authUrl: string;
  if (opts.apiUrl) {
    apiUrl = opts.apiUrl;
    authUrl = opts.authUrl ?? opts.apiUrl;
  } else {
    const region = opts.region ?? "us-east-1";
    // The SDK spells regions us_east_1; both spellings name the same region.
    const domain = REGION_DOMAINS[region.replace(/_/g, "-")] ?? (Object.values(REGION_DOMAINS).includes(region) ? region : undefined);
    if (!domain) {
      throw new Error(
        `unknown Genesys Cloud region "${region}"; use one of ${Object.keys(REGION_DOMAINS).join(", ")} ` +
          `(or its domain, e.g. mypurecloud.ie), or set genesys:apiUrl`,
      );
    }
    apiUrl = `https://api.${domain}`;
    authUrl = opts.authUrl ?? `https://login.${domain}`;
  }
  for (const [label, value] of [
    ["apiUrl", apiUrl],
    ["authUrl", authUrl],
  ] as const) {
    let url: URL;
    try {
      url = new URL(value);
    } catch (err) {
      throw new Error(`genesys:${label} "${value}" is not a URL; use e.g. https://api.mypurecloud.com`, { cause: err });
    }
    if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
      throw new Error(`genesys:${label} must use https (plain http is allowed only to loopback, for the emulator); got ${url.origin}`);
    }
  }
  return { apiUrl: apiUrl.replace(/\/+$/, ""), authUrl: authUrl.replace(/\/+$/, "") };
}
