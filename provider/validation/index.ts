/**
 * The shared channel validator: the provider's check (pure rules), create/update (address rules)
 * and the signing CLI all go through this surface. RULES.md lists every rule and what is not enforced.
 */
export { formatIssues, type ValidationIssue } from "./issues";
export type { ChannelDefinition } from "./schema";
export { validateChannel, normalizeChannel, type ValidationResult } from "./validate";
export { checkEndpointAddress, systemResolver, type Resolver } from "./network";
export { signDefinition, verifySignature } from "./signature";
