/**
 * The YAML program of an exported org: one Pulumi.yaml (runtime yaml) whose `plugins: providers`
 * finds the provider plugin in the checkout that ran the export, and whose `resources:` declare
 * each object with the plugin's type token and `adoptExistingId`. Deployments refer to their
 * configuration by `${cfg.configurationId}` / `${cfg.version}` and webhooks to their channel by
 * `${channel.brandId}`, never by a copied id.
 */
import type { Org } from "./model";
import { byNameThenId, type Naming } from "./names";
import { importFileOf, namesOf, readmeOf, sortSkipped, type PluginRenderOptions } from "./render";

/** A reference the YAML program interpolates, as opposed to a string it holds literally. */
class Ref {
  constructor(readonly expr: string) {}
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A double-quoted scalar (JSON's string syntax is YAML's). Pulumi YAML reads `${...}` in every
 * string as a reference and `$$` as one `$` (pulumi-yaml's parseInterpolate), so a `$` before `{`
 * or `$` (a label's placeholder, say) is written `$$`.
 */
function scalar(value: unknown): string {
  if (value instanceof Ref) return JSON.stringify(`\${${value.expr}}`);
  // A function, since "$$" in a replacement string means one "$".
  if (typeof value === "string") return JSON.stringify(value.replace(/\$(?=[${])/g, () => "$$"));
  return JSON.stringify(value);
}

const yamlKey = (k: string) => (PLAIN_KEY.test(k) ? k : JSON.stringify(k));

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Ref);

/** Lines of a block mapping (or sequence), each indented by `indent`. */
function block(value: unknown, indent: string): string[] {
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if ((isObject(item) && Object.keys(item).length > 0) || (Array.isArray(item) && item.length > 0)) {
        const [first, ...rest] = block(item, inner);
        return [`${indent}- ${first!.trimStart()}`, ...rest];
      }
      return [`${indent}- ${inline(item)}`];
    });
  }
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .flatMap(([k, v]) => {
      const nested = (isObject(v) && Object.keys(v).length > 0) || (Array.isArray(v) && v.length > 0);
      return nested ? [`${indent}${yamlKey(k)}:`, ...block(v, inner)] : [`${indent}${yamlKey(k)}: ${inline(v)}`];
    });
}

function inline(value: unknown): string {
  if (Array.isArray(value)) return "[]";
  if (isObject(value)) return "{}";
  return scalar(value);
}

interface YamlResource {
  type: string;
  name: string;
  properties: Record<string, unknown>;
}

function programOf(org: Org, opts: PluginRenderOptions): string {
  const names = namesOf(org);
  const configurations = new Map(org.configurations.map((c) => [c.id, c]));
  const resources = new Map<string, YamlResource>();
  const comments = new Map<string, string[]>();
  const add = (n: Naming, type: string, properties: Record<string, unknown>, comment?: string[]) => {
    resources.set(n.variable, { type: `genesys:index:${type}`, name: n.resourceName, properties });
    if (comment) comments.set(n.variable, comment);
  };

  for (const c of byNameThenId(org.configurations)) {
    const n = names.configurations.get(c.id)!;
    add(
      n,
      "WebDeploymentConfiguration",
      { ...c.document, adoptExistingId: c.id, ...(c.draftAhead ? { keepUnpublishedDraft: true } : {}) },
      c.draftAhead
        ? [
            `"${c.name}" has draft edits that are not published. keepUnpublishedDraft adopts its published version ${c.version}`,
            "(declared below) and leaves the draft as it is: nothing publishes or overwrites it until you edit this declaration.",
          ]
        : undefined,
    );
  }
  for (const d of byNameThenId(org.deployments)) {
    const n = names.deployments.get(d.id)!;
    const cfg = configurations.get(d.configuration.id)!;
    const cfgVar = names.configurations.get(cfg.id)!.variable;
    const follows = d.configuration.version === cfg.version;
    const { id: _id, configuration: _c, ...rest } = d;
    add(
      n,
      "WebDeployment",
      {
        ...rest,
        configuration: {
          id: new Ref(`${cfgVar}.configurationId`),
          version: follows ? new Ref(`${cfgVar}.version`) : d.configuration.version,
        },
        adoptExistingId: d.id,
      },
      follows
        ? undefined
        : [
            `Serves version ${d.configuration.version} of "${cfg.name}", not its latest (${cfg.version}): pinned so adoption changes nothing.`,
          ],
    );
  }
  for (const ch of byNameThenId(org.channels)) {
    add(names.channels.get(ch.id)!, "WebMessagingChannel", { ...ch.spec, adoptExistingId: ch.id });
  }
  for (const w of byNameThenId(org.webhooks)) {
    const { id: _id, brandId, hasSecret, name, ...rest } = w;
    add(
      names.webhooks.get(w.id)!,
      "LoadBalancerWebhook",
      { name, brandId: new Ref(`${names.channels.get(brandId)!.variable}.brandId`), ...rest, adoptExistingId: w.id },
      // Its secret is write-only: never exported, and never compared on adoption (see the README).
      hasSecret ? ["Signed: its secret comes from genesys:webhookSecret (see the README)."] : undefined,
    );
  }

  const lines = [
    `name: ${opts.projectName}`,
    "description: Genesys Cloud web messaging, exported by npm run export",
    "runtime: yaml",
    "plugins:",
    "  providers:",
    "    - name: genesys",
    `      path: ${JSON.stringify(opts.pluginDir)}`,
    "",
    "# Generated by `npm run export` (genesys-webmessaging-pulumi). Each resource takes over the object that",
    "# already exists in Genesys (adoptExistingId): the first `pulumi up` only reads, and writes nothing while",
    "# the declarations below equal what Genesys holds. Edit them like any program from then on.",
  ];
  if (resources.size === 0) {
    lines.push("resources: {}");
  } else {
    lines.push("resources:");
    for (const [variable, r] of resources) {
      lines.push(...(comments.get(variable) ?? []).map((c) => `  # ${c}`));
      lines.push(`  ${variable}:`, `    type: ${r.type}`, `    name: ${JSON.stringify(r.name)}`, "    properties:");
      lines.push(...block(r.properties, "      "));
    }
  }
  const exported = (map: Map<string, Naming>, field: string) =>
    Object.fromEntries(
      [...map.values()]
        .sort((a, b) => (a.resourceName < b.resourceName ? -1 : 1))
        .map((n) => [n.resourceName, new Ref(`${n.variable}.${field}`)]),
    );
  lines.push(
    "outputs:",
    ...block(
      {
        configurationVersions: exported(names.configurations, "version"),
        deploymentStatuses: exported(names.deployments, "status"),
        channelIds: exported(names.channels, "brandId"),
        webhookIds: exported(names.webhooks, "webhookId"),
      },
      "  ",
    ),
  );
  return lines.join("\n") + "\n";
}

/** Every file of the YAML project, by its path under DIR. */
export function renderYaml(org: Org, opts: PluginRenderOptions): Map<string, string> {
  const files = new Map<string, string>();
  files.set("Pulumi.yaml", programOf(org, opts));
  files.set("import.json", importFileOf(org, namesOf(org)));
  files.set("README.md", readmeOf(org, "yaml", opts, sortSkipped(org.skipped)));
  return files;
}
