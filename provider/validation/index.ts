/**
 * The checks every resource shares: issue formatting, address rules (DNS/SSRF) and definition
 * signatures. Each resource's own schema and validator live in its folder (provider/resources/<kind>/
 * schema.ts). RULES.md lists every rule and what is not enforced.
 */
export { formatIssues, type ValidationIssue } from "./issues";
export { checkEndpointAddress, systemResolver, type Resolver } from "./network";
export { signDefinition, verifySignature } from "./signature";
