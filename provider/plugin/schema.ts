/**
 * The Pulumi package schema of `genesys`, generated from the resources' zod schemas (zod 4's
 * JSON Schema export, then mapped onto Pulumi's schema: nested objects become named types) and the
 * provider settings of provider/config.ts. Nothing here names a resource field: a field added to a
 * validator's schema appears in the package schema (and so in every SDK and YAML type check).
 */
import { z } from "zod";
import { SETTINGS } from "../config";
import { PACKAGE, RESOURCES, type ResourceEntry, type ResourceName, tokenOf } from "./resources";

/** The subset of Pulumi's property spec this package uses. */
interface PropertySpec {
  type?: "string" | "integer" | "number" | "boolean" | "array" | "object";
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  $ref?: string;
  description?: string;
  secret?: boolean;
}

interface ObjectTypeSpec {
  type: "object";
  description?: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

export interface PackageSpec {
  name: string;
  version: string;
  description: string;
  config: { variables: Record<string, PropertySpec> };
  provider: { description: string; inputProperties: Record<string, PropertySpec> };
  resources: Record<string, ObjectTypeSpec & { inputProperties: Record<string, PropertySpec>; requiredInputs: string[] }>;
  types: Record<string, ObjectTypeSpec>;
}

interface JsonSchema {
  type?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  enum?: unknown[];
}

const ANY: PropertySpec = { $ref: "pulumi.json#/Any" };

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  // Refinements and transforms have no JSON Schema form; the check still enforces them.
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
}

/**
 * Where the named types go while the schema is built. A type is named `<Resource><Field>...` after
 * the path that leads to it; `made` remembers each name's path, so that two paths never silently
 * share (and overwrite) one type.
 */
interface TypeTable {
  types: Record<string, ObjectTypeSpec>;
  made: Map<string, string>;
  resources: ReadonlySet<string>;
}

/**
 * Names the SDKs derive from a resource name: a type with one of them would clash with the
 * resource's own class or struct in some language (Go's `<R>Args`/`<R>State`/`<R>Input`...,
 * Python's `<R>Args`; the resource name itself in every language).
 */
const RESOURCE_DERIVED = ["", "Args", "State", "Input", "Output", "Array", "Map", "ArrayInput", "MapInput"];

/**
 * The name of the type of the object at `path`. A field whose name completes another resource's
 * (WebDeployment's `configuration` would be `WebDeploymentConfiguration`) holds a reference to that
 * resource (its id, version): it is named `<Resource><Field>Ref`, so that no type token is a
 * resource token. Any other clash is refused here rather than left to the SDK generators, which
 * rename silently and differently per language.
 */
function typeNameFor(wanted: string, path: string, table: TypeTable): string {
  const name = table.resources.has(wanted) ? `${wanted}Ref` : wanted;
  const clash = [...table.resources].find((r) => RESOURCE_DERIVED.some((suffix) => name === r + suffix));
  if (clash !== undefined)
    throw new Error(
      `The package schema's type for ${path} would be named ${name}, which clashes with the SDK names of the resource ${clash}: rename the field, or extend the naming rule in provider/plugin/schema.ts (typeNameFor).`,
    );
  const earlier = table.made.get(name);
  if (earlier !== undefined && earlier !== path)
    throw new Error(
      `The package schema's types for ${earlier} and ${path} would both be named ${name}: rename one of the fields, or extend the naming rule in provider/plugin/schema.ts (typeNameFor).`,
    );
  table.made.set(name, path);
  return name;
}

/** Maps one JSON Schema node at `path` (`Resource.field.sub`); a nested object becomes the named type `genesys:index:<typeName>`. */
function propertyOf(node: JsonSchema, typeName: string, path: string, table: TypeTable): PropertySpec {
  const described = (spec: PropertySpec): PropertySpec => (node.description ? { ...spec, description: node.description } : spec);
  switch (node.type) {
    case "string":
      if (node.enum && !node.description)
        return { type: "string", description: `One of ${node.enum.map((v) => JSON.stringify(v)).join(", ")}.` };
      return described({ type: "string" });
    case "integer":
    case "number":
    case "boolean":
      return described({ type: node.type });
    case "array":
      return described({ type: "array", items: node.items ? propertyOf(node.items, typeName, `${path}[]`, table) : ANY });
    case "object": {
      if (!node.properties) {
        const extra = node.additionalProperties;
        return described({
          type: "object",
          additionalProperties: typeof extra === "object" ? propertyOf(extra, typeName, `${path}{}`, table) : ANY,
        });
      }
      const name = typeNameFor(typeName, path, table);
      const token = `${PACKAGE}:index:${name}`;
      table.types[token] = objectOf(node, name, path, table);
      return described({ $ref: `#/types/${token}` });
    }
    default:
      return described({ ...ANY });
  }
}

function objectOf(node: JsonSchema, typeName: string, path: string, table: TypeTable): ObjectTypeSpec {
  const properties: Record<string, PropertySpec> = {};
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    properties[key] = propertyOf(child, typeName + pascal(key), `${path}.${key}`, table);
  }
  return {
    type: "object",
    ...(node.description ? { description: node.description } : {}),
    properties,
    ...(node.required && node.required.length > 0 ? { required: node.required } : {}),
  };
}

function resourceSpec(name: ResourceName, entry: ResourceEntry, table: TypeTable) {
  const inputs = objectOf(jsonSchemaOf(entry.inputs.extend(entry.extraInputs)), name, name, table);
  const outputs = objectOf(jsonSchemaOf(z.object(entry.outputs)), name, name, table);
  return {
    type: "object" as const,
    description: entry.description,
    inputProperties: inputs.properties,
    requiredInputs: inputs.required ?? [],
    properties: { ...inputs.properties, ...outputs.properties },
    required: [...(inputs.required ?? []), ...(outputs.required ?? [])],
  };
}

/** A setting's type, as its documented example shows it (settings arrive as strings either way). */
function settingType(example: string): PropertySpec["type"] {
  if (example === "true" || example === "false") return "boolean";
  if (/^\d+(\.\d+)?$/.test(example)) return "number";
  return "string";
}

function settingsSpec(): Record<string, PropertySpec> {
  const out: Record<string, PropertySpec> = {};
  for (const s of Object.values(SETTINGS) as { key: string; env?: string[]; secret?: boolean; example: string }[]) {
    const env = s.env ? ` Falls back to the environment variable ${s.env.join(" / ")}.` : "";
    out[s.key] = {
      type: settingType(s.example),
      description: `Stack config \`genesys:${s.key}\` for the default provider, for example ${s.secret ? "(secret) " : ""}\`${s.example}\`.${env}`,
      ...(s.secret ? { secret: true } : {}),
    };
  }
  return out;
}

export function packageSchema(version: string): PackageSpec {
  const entries = Object.entries(RESOURCES) as [ResourceName, ResourceEntry][];
  const table: TypeTable = { types: {}, made: new Map(), resources: new Set(entries.map(([name]) => name)) };
  const resources: PackageSpec["resources"] = {};
  for (const [name, entry] of entries) {
    resources[tokenOf(name)] = resourceSpec(name, entry, table);
  }
  const types = table.types;
  const settings = settingsSpec();
  return {
    name: PACKAGE,
    version,
    description: "Genesys Cloud web messaging channels, load balancer webhooks and web deployments.",
    config: { variables: settings },
    provider: {
      description: "The provider for one Genesys Cloud org (its credentials, region, pacing and audit).",
      inputProperties: settings,
    },
    resources,
    types,
  };
}
