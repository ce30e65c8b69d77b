/**
 * The resources the plugin serves, by Pulumi token name: each resource's definition
 * (provider/resources), so its lifecycle is the dynamic resource's and its package-schema entry is
 * generated from the same zod schemas its check enforces, descriptions included.
 */
import * as DEFINITIONS from "../resources";
import type { ResourceDefinition } from "../resources/definition";

export const PACKAGE = "genesys";

export type ResourceEntry = ResourceDefinition;

type Definition = (typeof DEFINITIONS)[keyof typeof DEFINITIONS];

export type ResourceName = Definition["name"];

export const RESOURCES = Object.values(DEFINITIONS).reduce(
  (all, definition) => ({ ...all, [definition.name]: definition }),
  {} as Record<ResourceName, ResourceEntry>,
);

export function tokenOf(name: ResourceName): string {
  return `${PACKAGE}:index:${name}`;
}

/** A URN's resource type: urn:pulumi:<stack>::<project>::<parent types$>type::<name>. */
export function typeOfUrn(urn: string): string {
  return urn.split("::")[2]?.split("$").pop() ?? "";
}

/** The entry of a type token, or undefined for a type this provider does not serve. */
export function resourceOfType(type: string): { name: ResourceName; entry: ResourceEntry } | undefined {
  const name = Object.keys(RESOURCES).find((n) => tokenOf(n as ResourceName) === type) as ResourceName | undefined;
  return name ? { name, entry: RESOURCES[name] } : undefined;
}
