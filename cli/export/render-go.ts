/**
 * The Go program of an exported org, on the plugin's generated Go SDK (sdk/go): program.go holds
 * `func program(ctx *pulumi.Context) error` and main.go only `pulumi.Run(program)`, so the same
 * function runs under the Go language host or as an Automation API inline program (how the tests
 * run it: the Go language host is not available everywhere). Values are typed from the package
 * schema (sdk/schema.json), the way Pulumi's Go code generator names them: a property `fooBar` is
 * the field `FooBar`, an object type `genesys:index:X` is `genesys.XArgs` (`XTypeArgs` where X is
 * also a resource's name, which the schema avoids), a list of them `genesys.XArray`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Org } from "./model";
import { declarationsOf } from "./declarations";
import type { Naming } from "./names";
import { importFileOf, namesOf, readmeOf, sortSkipped, type PluginRenderOptions } from "./render";

/** The parts of a Pulumi package schema this renderer reads. */
export interface PackageSchema {
  resources: Record<string, { inputProperties: Record<string, SchemaProperty> }>;
  types: Record<string, { properties: Record<string, SchemaProperty> }>;
}

interface SchemaProperty {
  type?: "string" | "boolean" | "integer" | "number" | "array" | "object";
  $ref?: string;
  items?: SchemaProperty;
}

export interface GoRenderOptions extends PluginRenderOptions {
  schema: PackageSchema;
  /** The generated Go SDK's folder (this checkout's sdk/go), for go.mod's `replace`. */
  sdkDir: string;
  /** The `require` blocks and `go` line of a go.mod that builds on that SDK, and its go.sum. */
  goMod: { goLine: string; requires: string; goSum: string };
}

const SDK_MODULE = "genesys-webmessaging/sdk/go";

/** Code, as opposed to a value the renderer types from the schema. */
class Code {
  constructor(readonly text: string) {}
}

const field = (name: string) => name[0]!.toUpperCase() + name.slice(1);

/** A Go string literal: JSON's escapes are Go's, for the characters JSON.stringify escapes. */
const goString = (s: string) => JSON.stringify(s);

function typeName(schema: PackageSchema, ref: string): string {
  const token = ref.replace(/^#\/types\//, "");
  const name = token.split(":").pop()!;
  // Go has one namespace: an object type named like a resource gets the generator's "Type" suffix.
  return schema.resources[token] ? `${name}Type` : name;
}

class GoValues {
  constructor(private readonly schema: PackageSchema) {}

  /** `value` as the Go expression the property's input type takes; `where` names it in errors. */
  value(prop: SchemaProperty, value: unknown, where: string, indent: string): string {
    if (value instanceof Code) return value.text;
    const wrong = () =>
      new Error(
        `export: ${where} is ${JSON.stringify(value)}, which the provider's schema (sdk/schema.json) does not type as ${prop.type ?? prop.$ref}`,
      );
    if (prop.$ref) {
      if (value === null || typeof value !== "object" || Array.isArray(value)) throw wrong();
      const ref = prop.$ref.replace(/^#\/types\//, "");
      const type = this.schema.types[ref];
      if (!type) throw new Error(`export: ${where} refers to ${prop.$ref}, which sdk/schema.json does not define; run npm run sdks`);
      return `genesys.${typeName(this.schema, prop.$ref)}Args${this.struct(type.properties, value as Record<string, unknown>, where, indent)}`;
    }
    switch (prop.type) {
      case "string":
        if (typeof value !== "string") throw wrong();
        return `pulumi.String(${goString(value)})`;
      case "boolean":
        if (typeof value !== "boolean") throw wrong();
        return `pulumi.Bool(${value})`;
      case "integer":
        if (!Number.isInteger(value)) throw wrong();
        return `pulumi.Int(${value as number})`;
      case "number":
        if (typeof value !== "number") throw wrong();
        return `pulumi.Float64(${value})`;
      case "array": {
        if (!Array.isArray(value) || !prop.items) throw wrong();
        const items = prop.items;
        const arrayType = items.$ref
          ? `genesys.${typeName(this.schema, items.$ref)}Array`
          : items.type === "string"
            ? "pulumi.StringArray"
            : undefined;
        if (!arrayType) throw wrong();
        if (value.length === 0) return `${arrayType}{}`;
        const inner = indent + "\t";
        const elements = value.map((v, i) => `${inner}${this.value(items, v, `${where}[${i}]`, inner)},`);
        return `${arrayType}{\n${elements.join("\n")}\n${indent}}`;
      }
      default:
        throw wrong();
    }
  }

  /** A composite literal's braces and fields, in the order `value` holds them. */
  struct(props: Record<string, SchemaProperty>, value: Record<string, unknown>, where: string, indent: string): string {
    const inner = indent + "\t";
    const pairs = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        const prop = props[k];
        if (!prop) throw new Error(`export: ${where}.${k} is not in the provider's schema (sdk/schema.json); run npm run sdks`);
        return { key: field(k), value: this.value(prop, v, `${where}.${k}`, inner) };
      });
    return pairs.length === 0 ? "{}" : `{\n${keyedElements(pairs, inner).join("\n")}\n${indent}}`;
  }
}

/**
 * The elements of a keyed composite literal, one a line, aligned as gofmt aligns them (go/printer's
 * exprList), so the program is gofmt-clean: consecutive one-line elements form a section whose
 * values start in one column; an element that spans lines is a section of its own, written
 * `Key: value`; a key more than 40 wide starts a new section when its width is 2.5 times the
 * geometric mean of the widths before it, or less than that mean over 2.5.
 */
function keyedElements(pairs: { key: string; value: string }[], indent: string): string[] {
  const sections: { key: string; value: string; oneLine: boolean }[][] = [];
  let size = 0;
  let lnsum = 0;
  let count = 0;
  for (const pair of pairs) {
    const oneLine = !pair.value.includes("\n");
    const prevSize = size;
    size = oneLine ? pair.key.length : 0;
    let newSection = true;
    if (prevSize > 0 && size > 0) {
      if (count === 0 || (prevSize <= 40 && size <= 40)) newSection = false;
      else {
        const ratio = size / Math.exp(lnsum / count);
        newSection = 2.5 * ratio <= 1 || 2.5 <= ratio;
      }
    }
    if (newSection || sections.length === 0) sections.push([]);
    sections[sections.length - 1]!.push({ ...pair, oneLine });
    if (size > 0) {
      lnsum += Math.log(size);
      count++;
    }
  }
  return sections.flatMap((section) => {
    // gofmt uses a column only in a literal of more than one element.
    const width = pairs.length > 1 ? Math.max(...section.map((p) => (p.oneLine ? p.key.length + 1 : 0))) : 0;
    return section.map((p) => `${indent}${p.oneLine ? `${p.key}:`.padEnd(width) : `${p.key}:`} ${p.value},`);
  });
}

function programOf(org: Org, opts: GoRenderOptions): string {
  const names = namesOf(org);
  const values = new GoValues(opts.schema);
  const body: string[] = [];
  const declare = (n: Naming, resource: string, args: Record<string, unknown>, comment?: string[]) => {
    const token = `genesys:index:${resource}`;
    const props = opts.schema.resources[token]?.inputProperties;
    if (!props) throw new Error(`export: sdk/schema.json has no resource ${token}; run npm run sdks`);
    body.push("");
    if (comment) body.push(...comment.map((c) => `\t// ${c}`));
    body.push(
      `\t${n.variable}, err := genesys.New${resource}(ctx, ${goString(n.resourceName)}, &genesys.${resource}Args${values.struct(props, args, n.resourceName, "\t")})`,
      "\tif err != nil {",
      "\t\treturn err",
      "\t}",
    );
  };

  // The deployment's `configuration` input type, as the schema names it (not a name written here).
  const configurationRef = opts.schema.resources["genesys:index:WebDeployment"]?.inputProperties.configuration?.$ref;
  if (!configurationRef) throw new Error("export: sdk/schema.json has no WebDeployment.configuration type; run npm run sdks");
  const configurationRefType = typeName(opts.schema, configurationRef);
  const declarations = declarationsOf(org, {
    configuration: (cfg, pinned) =>
      new Code(
        `genesys.${configurationRefType}Args{Id: ${cfg}.ConfigurationId, Version: ${pinned === undefined ? `${cfg}.Version` : `pulumi.String(${goString(pinned)})`}}`,
      ),
    brandId: (channel) => new Code(`${channel}.BrandId`),
    field,
  });
  for (const { naming, resource, args, comment } of declarations) declare(naming, resource, args, comment);

  // Every resource variable is read here, so none is unused (Go refuses that).
  const exported = (key: string, map: Map<string, Naming>, output: string) => {
    const entries = [...map.values()]
      .sort((a, b) => (a.resourceName < b.resourceName ? -1 : 1))
      .map((n) => ({ key: goString(n.resourceName), value: `${n.variable}.${output}` }));
    return entries.length === 0
      ? [`\tctx.Export(${goString(key)}, pulumi.Map{})`]
      : [`\tctx.Export(${goString(key)}, pulumi.Map{`, ...keyedElements(entries, "\t\t"), "\t})"];
  };
  const any = body.length > 0;
  return [
    "// Generated by `npm run export` (genesys-webmessaging-pulumi). Each resource takes over the object that",
    "// already exists in Genesys (AdoptExistingId): the first `pulumi up` only reads, and writes nothing while",
    "// the declarations below equal what Genesys holds. Edit them like any program from then on.",
    "package main",
    "",
    "import (",
    ...(any ? [`\t"${SDK_MODULE}/genesys"`, ""] : []),
    '\t"github.com/pulumi/pulumi/sdk/v3/go/pulumi"',
    ")",
    "",
    "// program declares the org's objects through the default genesys provider (the genesys:* stack config).",
    "func program(ctx *pulumi.Context) error {",
    ...(any ? body.slice(1) : []),
    ...(any ? [""] : []),
    ...exported("configurationVersions", names.configurations, "Version"),
    ...exported("deploymentStatuses", names.deployments, "Status"),
    ...exported("channelIds", names.channels, "BrandId"),
    ...exported("webhookIds", names.webhooks, "WebhookId"),
    "\treturn nil",
    "}",
    "",
  ].join("\n");
}

/**
 * A go.mod's `go` line and `require` blocks, and its go.sum, from the checkout's examples/go: the
 * module versions the CLI is built with, so that a warm Go cache builds the exported program offline.
 */
export function goModulesOf(packageDir: string): GoRenderOptions["goMod"] {
  const dir = path.join(packageDir, "examples", "go");
  const goMod = fs.readFileSync(path.join(dir, "go.mod"), "utf8");
  const goLine = /^go \S+$/m.exec(goMod)?.[0];
  const requires = goMod.match(/^require (\([\s\S]*?^\)|\S+ \S+)$/gm);
  if (!goLine || !requires) throw new Error(`${path.join(dir, "go.mod")} has no go line or require: the checkout is incomplete`);
  return { goLine, requires: requires.join("\n\n"), goSum: fs.readFileSync(path.join(dir, "go.sum"), "utf8") };
}

/** Every file of the Go project, by its path under DIR. */
export function renderGo(org: Org, opts: GoRenderOptions): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    "Pulumi.yaml",
    [
      `name: ${opts.projectName}`,
      "description: Genesys Cloud web messaging, exported by npm run export",
      "runtime: go",
      "plugins:",
      "  providers:",
      "    - name: genesys",
      `      path: ${JSON.stringify(opts.pluginDir)}`,
      "",
    ].join("\n"),
  );
  files.set(
    "go.mod",
    [
      `module ${opts.projectName}`,
      "",
      opts.goMod.goLine,
      "",
      opts.goMod.requires.trim(),
      "",
      `replace ${SDK_MODULE} => ${opts.sdkDir}`,
      "",
    ].join("\n"),
  );
  files.set("go.sum", opts.goMod.goSum);
  files.set(
    "main.go",
    [
      "package main",
      "",
      'import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"',
      "",
      "// The program is in program.go, a function of its own so that it can also run inline (Automation API).",
      "func main() {",
      "\tpulumi.Run(program)",
      "}",
      "",
    ].join("\n"),
  );
  files.set("program.go", programOf(org, opts));
  files.set("import.json", importFileOf(org, namesOf(org)));
  files.set("README.md", readmeOf(org, "go", opts, sortSkipped(org.skipped)));
  return files;
}
