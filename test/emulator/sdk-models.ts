import { readFileSync } from "node:fs";

/**
 * The Genesys JS SDK's models, read from its own index.d.ts, as an oracle for response shapes: every
 * member the emulator answers must be declared by the SDK's model (with the declared primitive type),
 * and every member the SDK marks required must be there. Nested `Models.X` members are checked too.
 */

interface Member {
  optional: boolean;
  type: string;
}

let cache: Map<string, Map<string, Member>> | undefined;

function models(): Map<string, Map<string, Member>> {
  if (cache) return cache;
  const text = readFileSync(require.resolve("purecloud-platform-client-v2/index.d.ts"), "utf8");
  cache = new Map();
  const iface = /^\texport interface (\w+) \{\s*\n([\s\S]*?)^\t\}/gm;
  for (const m of text.matchAll(iface)) {
    const members = new Map<string, Member>();
    for (const line of m[2]!.split("\n")) {
      const mm = /^\t\t"([^"]+)"(\?)?: (.+);\s*$/.exec(line);
      if (mm) members.set(mm[1]!, { optional: mm[2] === "?", type: mm[3]! });
    }
    cache.set(m[1]!, members);
  }
  return cache;
}

export function sdkModelMembers(name: string): string[] {
  const model = models().get(name);
  if (!model) throw new Error(`the SDK declares no model ${name}`);
  return [...model.keys()];
}

function checkType(value: unknown, type: string, path: string, problems: string[], allowExtra: readonly string[]): void {
  if (value === undefined || value === null) return;
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    if (!Array.isArray(value)) problems.push(`${path}: expected an array (${type}), got ${typeof value}`);
    else value.forEach((v, i) => checkType(v, arr[1]!, `${path}[${i}]`, problems, allowExtra));
    return;
  }
  const model = /^Models\.(\w+)$/.exec(type);
  if (model) {
    checkModel(value, model[1]!, path, problems, allowExtra);
    return;
  }
  if (type === "string" || type === "number" || type === "boolean") {
    if (typeof value !== type) problems.push(`${path}: expected ${type}, got ${JSON.stringify(value)}`);
  }
  // Maps ({ [key: string]: T; }), object and any: any JSON fits.
}

function checkModel(value: unknown, name: string, path: string, problems: string[], allowExtra: readonly string[]): void {
  const model = models().get(name);
  if (!model) {
    problems.push(`${path}: the SDK declares no model ${name}`);
    return;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push(`${path}: expected an object (${name}), got ${JSON.stringify(value)}`);
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(obj)) {
    const p = path ? `${path}.${key}` : key;
    const member = model.get(key);
    if (!member) {
      if (!allowExtra.includes(p)) problems.push(`${p}: not a member of the SDK's ${name}`);
      continue;
    }
    checkType(v, member.type, p, problems, allowExtra);
  }
  for (const [key, member] of model) {
    if (!member.optional && (obj[key] === undefined || obj[key] === null))
      problems.push(`${path ? `${path}.` : ""}${key}: required by the SDK's ${name}`);
  }
}

/** Problems of `value` against the SDK model `name`; `allowExtra` lists documented extensions by path. */
export function sdkShapeProblems(value: unknown, name: string, allowExtra: readonly string[] = []): string[] {
  const problems: string[] = [];
  checkModel(value, name, "", problems, allowExtra);
  return problems;
}
