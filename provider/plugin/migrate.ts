/**
 * Moving a stack from the dynamic resources to the plugin's, with no write to Genesys: the engine
 * cannot move a resource from one provider to another (an alias that changes the provider is a
 * replacement: delete and create), so the objects are forgotten by the state (`pulumi state delete`,
 * which calls no provider) and adopted again by `pulumi import -f`, which only reads. This turns the
 * old state (`pulumi stack export`) into that import file: each dynamic genesys resource's logical
 * name, its plugin type and its id.
 *
 *   node dist/provider/plugin/migrate.js old-state.json > resources.json
 */
import fs from "node:fs";
import { RESOURCES, type ResourceName, tokenOf } from "./resources";

interface ExportedResource {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  delete?: boolean;
}

export interface ImportFile {
  resources: { type: string; name: string; id: string }[];
}

/** The dynamic resources' types: `pulumi-nodejs:dynamic/genesys:<Resource>` (module genesys, see provider/resources). */
const DYNAMIC_TYPE = /^pulumi-nodejs:dynamic\/genesys:(\w+)$/;

export function importFileFromState(exported: unknown): ImportFile {
  const resources = (exported as { deployment?: { resources?: ExportedResource[] } })?.deployment?.resources;
  if (!Array.isArray(resources)) {
    throw new Error("not a Pulumi state export (no deployment.resources); pass the output of `pulumi stack export`");
  }
  const found: ImportFile["resources"] = [];
  for (const r of resources) {
    const kind = DYNAMIC_TYPE.exec(r.type)?.[1];
    // A resource pending deletion (delete: true) is an old copy of a replaced one, not a live object to adopt.
    if (!kind || r.delete) continue;
    if (!(kind in RESOURCES)) throw new Error(`${r.urn}: no plugin resource serves the dynamic type ${r.type}`);
    if (!r.id) throw new Error(`${r.urn}: no id in the state (a create that never finished?); run pulumi refresh first`);
    found.push({ type: tokenOf(kind as ResourceName), name: r.urn.split("::").pop()!, id: r.id });
  }
  return { resources: found };
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write("usage: node dist/provider/plugin/migrate.js <pulumi stack export output> > resources.json\n");
    process.exit(2);
  }
  try {
    process.stdout.write(`${JSON.stringify(importFileFromState(JSON.parse(fs.readFileSync(file, "utf8"))), null, 2)}\n`);
  } catch (err) {
    process.stderr.write(`migrate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
