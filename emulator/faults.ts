import { randomInt, randomUUID } from "node:crypto";
import { invalidField, notAnObject, validationFailure, type ApiError } from "./errors";

export interface FaultRule {
  id: string;
  method?: string;
  /** A path prefix, or a regular expression tested against the path (either match applies the rule). */
  path?: string;
  status?: number;
  /** Seconds, or an HTTP-date, sent as Retry-After with a status fault. */
  retryAfter?: number | string;
  delayMs?: number;
  hang?: boolean;
  reset?: boolean;
  probability?: number;
  /** Applies to the next N matching requests only; counts down as it fires. */
  count?: number;
  afterHandler?: boolean;
  seed?: number;
  /** How many requests this rule has shaped so far. */
  hits: number;
}

const FIELDS = new Set([
  "method",
  "path",
  "status",
  "retryAfter",
  "delayMs",
  "hang",
  "reset",
  "probability",
  "count",
  "afterHandler",
  "seed",
]);

/** mulberry32: tiny, fast, and the same sequence for the same seed on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ActiveRule {
  rule: FaultRule;
  regex?: RegExp;
  random: () => number;
}

/**
 * Admin-defined faults that shape matching API requests: an error status, added latency, a response that
 * never comes, a reset socket, or (afterHandler) a failure injected after the real handler has committed.
 */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private seeds: () => number;

  constructor(private readonly seed?: number) {
    this.seeds = seed === undefined ? () => randomInt(2 ** 31) : mulberry32(seed);
  }

  add(input: unknown): FaultRule {
    const rule = parseRule(input);
    let regex: RegExp | undefined;
    if (rule.path !== undefined) {
      try {
        regex = new RegExp(rule.path);
      } catch {
        regex = undefined; // not a regex: a plain prefix, which is still a valid rule
      }
    }
    const seed = rule.seed ?? Math.floor(this.seeds() * 2 ** 31);
    this.rules.push({ rule, regex, random: mulberry32(seed) });
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => r.rule);
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.rule.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
    this.seeds = this.seed === undefined ? () => randomInt(2 ** 31) : mulberry32(this.seed);
  }

  /** The first rule that matches and fires for this request; firing consumes one of its `count`. */
  pick(method: string, path: string, afterHandler: boolean): FaultRule | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if ((rule.afterHandler ?? false) !== afterHandler) continue;
      if (rule.count !== undefined && rule.count <= 0) continue;
      if (rule.method !== undefined && rule.method !== method.toUpperCase()) continue;
      if (rule.path !== undefined && !path.startsWith(rule.path) && !(active.regex?.test(path) ?? false)) continue;
      if (rule.probability !== undefined && !(active.random() < rule.probability)) continue;
      if (rule.count !== undefined) rule.count--;
      rule.hits++;
      return rule;
    }
    return undefined;
  }
}

export function retryAfterHeader(value: number | string | undefined, status: number): string | undefined {
  if (value === undefined) return status === 429 ? "1" : undefined;
  return typeof value === "number" ? String(Math.max(0, Math.ceil(value))) : value;
}

function parseRule(input: unknown): FaultRule {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw notAnObject("The fault rule");
  }
  const body = input as Record<string, unknown>;
  const errors: ApiError[] = [];
  for (const key of Object.keys(body)) if (!FIELDS.has(key)) errors.push(invalidField(key, "unknown property", "bad.request"));
  const rule: FaultRule = { id: randomUUID(), hits: 0 };

  const { method, path, status, retryAfter, delayMs, hang, reset, probability, count, afterHandler, seed } = body;
  if (method !== undefined) {
    if (typeof method !== "string" || !/^[A-Za-z]+$/.test(method)) errors.push(invalidField("method", "must be an HTTP method"));
    else rule.method = method.toUpperCase();
  }
  if (path !== undefined) {
    if (typeof path !== "string" || path.length === 0) errors.push(invalidField("path", "must be a non-empty string"));
    else rule.path = path;
  }
  if (status !== undefined) {
    if (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599) {
      errors.push(invalidField("status", "must be an integer between 400 and 599"));
    } else rule.status = status as number;
  }
  if (retryAfter !== undefined) {
    if (typeof retryAfter === "number" && Number.isFinite(retryAfter) && retryAfter >= 0) rule.retryAfter = retryAfter;
    else if (typeof retryAfter === "string" && !Number.isNaN(Date.parse(retryAfter))) rule.retryAfter = retryAfter;
    else errors.push(invalidField("retryAfter", "must be a number of seconds or an HTTP-date"));
  }
  if (delayMs !== undefined) {
    if (!Number.isInteger(delayMs) || (delayMs as number) < 0 || (delayMs as number) > 600_000) {
      errors.push(invalidField("delayMs", "must be an integer between 0 and 600000"));
    } else rule.delayMs = delayMs as number;
  }
  for (const [name, value] of [
    ["hang", hang],
    ["reset", reset],
    ["afterHandler", afterHandler],
  ] as const) {
    if (value === undefined) continue;
    if (typeof value !== "boolean") errors.push(invalidField(name, "must be a boolean"));
    else rule[name] = value;
  }
  if (probability !== undefined) {
    if (typeof probability !== "number" || !(probability >= 0 && probability <= 1)) {
      errors.push(invalidField("probability", "must be a number between 0 and 1"));
    } else rule.probability = probability;
  }
  if (count !== undefined) {
    if (!Number.isInteger(count) || (count as number) < 1) errors.push(invalidField("count", "must be a positive integer"));
    else rule.count = count as number;
  }
  if (seed !== undefined) {
    if (!Number.isInteger(seed)) errors.push(invalidField("seed", "must be an integer"));
    else rule.seed = seed as number;
  }
  const terminal = [rule.status !== undefined, rule.hang === true, rule.reset === true].filter(Boolean).length;
  if (terminal > 1) errors.push(invalidField("status", "status, hang and reset are mutually exclusive", "bad.request"));
  if (terminal === 0 && rule.delayMs === undefined) {
    errors.push(invalidField("status", "a fault needs one of status, delayMs, hang or reset", "bad.request"));
  }
  if (errors.length > 0) throw validationFailure(errors);
  return rule;
}
