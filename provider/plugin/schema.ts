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

/** Maps one JSON Schema node; a nested object becomes the named type `genesys:index:<typeName>`. */
function propertyOf(node: JsonSchema, typeName: string, types: Record<string, ObjectTypeSpec>): PropertySpec {
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
      return described({ type: "array", items: node.items ? propertyOf(node.items, typeName, types) : ANY });
    case "object": {
      if (!node.properties) {
        const extra = node.additionalProperties;
        return described({ type: "object", additionalProperties: typeof extra === "object" ? propertyOf(extra, typeName, types) : ANY });
      }
      const token = `${PACKAGE}:index:${typeName}`;
      types[token] = objectOf(node, typeName, types);
      return described({ $ref: `#/types/${token}` });
    }
    default:
      return described({ ...ANY });
  }
}

function objectOf(node: JsonSchema, typeName: string, types: Record<string, ObjectTypeSpec>): ObjectTypeSpec {
  const properties: Record<string, PropertySpec> = {};
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    properties[key] = propertyOf(child, typeName + pascal(key), types);
  }
  return {
    type: "object",
    ...(node.description ? { description: node.description } : {}),
    properties,
    ...(node.required && node.required.length > 0 ? { required: node.required } : {}),
  };
}

function resourceSpec(name: ResourceName, entry: ResourceEntry, types: Record<string, ObjectTypeSpec>) {
  const inputs = objectOf(jsonSchemaOf(entry.inputs.extend(entry.extraInputs)), name, types);
  const outputs = objectOf(jsonSchemaOf(z.object(entry.outputs)), name, types);
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
  const types: Record<string, ObjectTypeSpec> = {};
  const resources: PackageSpec["resources"] = {};
  for (const [name, entry] of Object.entries(RESOURCES) as [ResourceName, ResourceEntry][]) {
    resources[tokenOf(name)] = resourceSpec(name, entry, types);
  }
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
