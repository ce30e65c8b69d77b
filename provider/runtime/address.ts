/**
 * The DNS/SSRF check of a user-named host, run at create and update (never in check, which makes
 * no network calls): the stack's allowPrivateNetworks setting and the context's resolver apply.
 */
import { formatIssues } from "../validation/issues";
import { checkEndpointAddress } from "../validation/network";
import type { RuntimeContext } from "./context";

/** Throws `<refusal>:` and every issue found when the address of `url` may not be reached. */
export async function assertAddressAllowed(ctx: RuntimeContext, url: string, field: string, refusal: string): Promise<void> {
  const issues = await checkEndpointAddress(url, { allowPrivateNetworks: ctx.config.allowPrivateNetworks, resolver: ctx.resolver, field });
  if (issues.length > 0) throw new Error(`${refusal}:\n${formatIssues(issues)}`);
}
