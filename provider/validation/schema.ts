import { z } from "zod";
import { CHANNEL_TYPES, LIMITS, type ChannelType } from "./limits";
import { describeValue, issue, type PathSegment, type ValidationIssue } from "./issues";

/** A channel definition as the validator returns it: defaults applied, nothing server-owned. */
export type ChannelDefinition = {
  name: string;
  description: string;
  endpointUrl: string;
  allowedOrigins: string[];
  channelTypes: ("webchat" | "webmessaging")[];
  settings: {
    maxConcurrentSessions: number;
    rateLimitThreshold: number;
    tlsCertificateChain: string[];
    healthCheckInterval: number;
  };
  signature?: string;
};

/*
 * Shape, types and bounds only. Meaning (origins, URL schemes, certificates, signatures) is checked
 * afterwards on the raw input, so that a bad number never hides a bad origin: the user sees every
 * failure in one `pulumi preview`.
 */
const settingsSchema = z.strictObject({
  maxConcurrentSessions: z
    .int()
    .min(LIMITS.maxConcurrentSessions.min)
    .max(LIMITS.maxConcurrentSessions.max)
    .describe("1..10000 concurrent sessions."),
  rateLimitThreshold: z
    .int()
    .min(LIMITS.rateLimitThreshold.min)
    .max(LIMITS.rateLimitThreshold.max)
    .describe("1..5000 requests per second before the gateway throttles."),
  tlsCertificateChain: z
    .array(z.string())
    .optional()
    .describe("PEM certificates of the endpoint, leaf first (or the lines of one PEM text)."),
  healthCheckInterval: z
    .int()
    .min(LIMITS.healthCheckInterval.min)
    .max(LIMITS.healthCheckInterval.max)
    .optional()
    .describe("30..3600 seconds between health probes; default 300."),
});

export const channelInputSchema = z.strictObject({
  name: z.string().min(LIMITS.name.min).max(LIMITS.name.max).describe("Unique per org, 1..128 characters."),
  description: z
    .string()
    .max(LIMITS.description.max)
    .optional()
    .describe("Free text shown in the Genesys Cloud UI, at most 512 characters."),
  endpointUrl: z.string().min(1).describe("Where the channel's messages are delivered: an https:// or wss:// URL."),
  allowedOrigins: z.array(z.string()).min(1).describe('Origins allowed to open a session, such as "https://app.example.com".'),
  channelTypes: z.array(z.enum(CHANNEL_TYPES)).min(1).describe("webchat and/or webmessaging; a change replaces the channel."),
  settings: settingsSchema.describe("Session limits, throttling and the endpoint's TLS chain."),
  signature: z
    .string()
    .optional()
    .describe("HMAC-SHA256 of the definition (`npm run sign`); required when the provider's signatureKey is set."),
});

// Compile-time guard: the schema's enum and the public type must not drift apart.
const _channelTypesMatch: ChannelType extends ChannelDefinition["channelTypes"][number] ? true : never = true;
void _channelTypesMatch;

const KNOWN_KEYS: Record<string, readonly string[]> = {
  "": Object.keys(channelInputSchema.shape),
  settings: Object.keys(settingsSchema.shape),
};

/** Fields the API owns: a definition that sets them was probably copied from a GET response. */
const SERVER_SET_KEYS: Record<string, readonly string[]> = {
  "": ["id", "status", "version", "dateCreated", "dateModified", "selfUri"],
  settings: ["healthStatus", "lastHealthCheck"],
};

/** What each field should hold, phrased so it can follow "must be" or "add". */
const EXPECTED: Record<string, string> = {
  "": "a JSON object describing one channel",
  name: `a string of ${LIMITS.name.min}-${LIMITS.name.max} characters`,
  description: `a string of at most ${LIMITS.description.max} characters`,
  endpointUrl: 'an https:// or wss:// URL such as "https://chat.example.com/messages"',
  allowedOrigins: 'a non-empty list of origins such as ["https://app.example.com"]',
  "allowedOrigins[]": 'an origin string such as "https://app.example.com"',
  channelTypes: 'a non-empty list drawn from "webchat" and "webmessaging"',
  "channelTypes[]": '"webchat" or "webmessaging"',
  settings: "an object with maxConcurrentSessions and rateLimitThreshold",
  "settings.maxConcurrentSessions": `a whole number from ${LIMITS.maxConcurrentSessions.min} to ${LIMITS.maxConcurrentSessions.max}`,
  "settings.rateLimitThreshold": `a whole number from ${LIMITS.rateLimitThreshold.min} to ${LIMITS.rateLimitThreshold.max}`,
  "settings.healthCheckInterval": `a whole number of seconds from ${LIMITS.healthCheckInterval.min} to ${LIMITS.healthCheckInterval.max} (default ${LIMITS.healthCheckInterval.default})`,
  "settings.tlsCertificateChain": "a list of PEM certificates, leaf first (or the lines of one PEM text)",
  "settings.tlsCertificateChain[]": "a PEM string",
  signature: "the 64-hex-character output of `npm run sign`",
};

function expectedFor(path: readonly PathSegment[]): string {
  const key = path
    .map((s) => (typeof s === "number" ? "[]" : s))
    .join(".")
    .replace(/\.\[\]/g, "[]");
  return EXPECTED[key] ?? "a valid value";
}

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment as string];
  }
  return current;
}

/** Turns zod's issues into the project's own: plain language, the offending value, and the fix. */
export function translateZodIssues(zodIssues: readonly z.core.$ZodIssue[], input: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  // zod reports a huge integer twice (safe-integer range and our bound); the bound is the useful one.
  const pathKey = (zi: z.core.$ZodIssue) => JSON.stringify(zi.path.map(String));
  const boundPaths = new Set(
    zodIssues.filter((zi) => (zi.code === "too_big" || zi.code === "too_small") && zi.origin !== "int").map(pathKey),
  );
  const relevant = zodIssues.filter(
    (zi) => !((zi.code === "too_big" || zi.code === "too_small") && zi.origin === "int" && boundPaths.has(pathKey(zi))),
  );
  for (const zi of relevant) {
    const path = zi.path.filter((s): s is string | number => typeof s !== "symbol");
    if (zi.code === "unrecognized_keys") {
      for (const key of zi.keys) out.push(unknownKeyIssue(path, key));
      continue;
    }
    const p = issue(path, "").path;
    // One message per field is enough; the first is the most basic (type before bounds).
    if (seen.has(p)) continue;
    seen.add(p);
    out.push(issue(path, messageFor(zi, path, valueAt(input, path))));
  }
  return out;
}

function messageFor(zi: z.core.$ZodIssue, path: readonly PathSegment[], value: unknown): string {
  const expected = expectedFor(path);
  switch (zi.code) {
    case "invalid_type":
      if (value === undefined) return `is required; add ${expected}`;
      if (zi.expected === "int" && typeof value === "number")
        return `must be a whole number (got ${describeValue(value)}); use ${expected}`;
      return `must be ${expected} (got ${describeValue(value)})`;
    case "too_big": {
      const max = Number(zi.maximum);
      if (zi.origin === "string") return `must be at most ${max} characters (got ${(value as string).length}); shorten it`;
      if (zi.origin === "array") return `must have at most ${max} entries (got ${(value as unknown[]).length}); remove some`;
      if (zi.origin === "int") return `must be a whole number within the safe integer range (got ${describeValue(value)}); use ${expected}`;
      return `must be at most ${max} (got ${describeValue(value)}); lower it to ${max} or less`;
    }
    case "too_small": {
      const min = Number(zi.minimum);
      if (zi.origin === "string")
        return min <= 1 ? `must not be empty; use ${expected}` : `must be at least ${min} characters (got ${(value as string).length})`;
      if (zi.origin === "array") return `must not be empty; add ${expected}`;
      return `must be at least ${min} (got ${describeValue(value)}); raise it to ${min} or more`;
    }
    case "invalid_value":
      return `must be ${zi.values.map((v) => JSON.stringify(v)).join(" or ")} (got ${describeValue(value)})`;
    default:
      return `must be ${expected} (got ${describeValue(value)})`;
  }
}

function unknownKeyIssue(parent: readonly PathSegment[], key: string): ValidationIssue {
  const parentKey = issue(parent, "").path;
  const path = [...parent, key];
  if ((SERVER_SET_KEYS[parentKey] ?? []).includes(key)) {
    return issue(path, `is set by the server and cannot be given as input; remove it (copied from an API response?)`);
  }
  const known = KNOWN_KEYS[parentKey] ?? [];
  const suggestion = closestKey(key, known);
  const where = parentKey === "" ? "a channel definition" : parentKey;
  if (suggestion) return issue(path, `is not a known field of ${where}; did you mean "${suggestion}"?`);
  return issue(path, `is not a known field of ${where}; remove it (known fields: ${known.join(", ")})`);
}

/** The known key a typo most likely meant, or undefined when nothing is close enough to be a typo. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  // Allow roughly one slip per four characters, so short unrelated words are not "corrected".
  const tolerance = Math.max(1, Math.min(3, Math.floor(key.length / 4)));
  return bestDistance <= tolerance ? best : undefined;
}

/*
 * Edit distance where swapping two neighbouring letters ("nmae") counts as one slip (optimal string
 * alignment). A dozen lines over a handful of short keys: a dependency would cost more.
 */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
