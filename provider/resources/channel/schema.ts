/**
 * A WebMessagingChannel's inputs and their validator: pure, synchronous, no network, so `pulumi
 * preview` reports every failure before any API call. The zod schema holds shape, types, bounds and
 * defaults only; meaning (origins, URL schemes, certificates, signatures) is checked afterwards on
 * the raw input, so that a bad number never hides a bad origin: the user sees every failure in one
 * preview. provider/validation/RULES.md lists every rule and what is not enforced.
 */
import { z } from "zod";
import { checkEndpointUrl, endpointHost } from "../../validation/endpoint";
import { describeValue, issue, type ValidationIssue, type ValidationResult } from "../../validation/issues";
import { CHANNEL_TYPES, LIMITS } from "../../validation/limits";
import { checkOrigins, normaliseOrigin } from "../../validation/origins";
import { verifySignature } from "../../validation/signature";
import { canonicalPemChain, checkCertificateChain } from "../../validation/tls";
import { parseIssues } from "../../validation/zod-issues";

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
    .default(() => [])
    .describe("PEM certificates of the endpoint, leaf first (or the lines of one PEM text)."),
  healthCheckInterval: z
    .int()
    .min(LIMITS.healthCheckInterval.min)
    .max(LIMITS.healthCheckInterval.max)
    .default(LIMITS.healthCheckInterval.default)
    .describe("30..3600 seconds between health probes; default 300."),
});

export const channelInputSchema = z.strictObject({
  name: z.string().min(LIMITS.name.min).max(LIMITS.name.max).describe("Unique per org, 1..128 characters."),
  description: z
    .string()
    .max(LIMITS.description.max)
    .default("")
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

/** A channel definition as the validator returns it: defaults applied, nothing server-owned. */
export type ChannelDefinition = z.output<typeof channelInputSchema>;
/** The settings as a program writes them (what WebMessagingChannelSettingsArgs is made of). */
export type ChannelSettingsInput = z.input<typeof settingsSchema>;

/** Fields the API owns: a definition that sets them was probably copied from a GET response. */
const SERVER_SET_KEYS: Record<string, readonly string[]> = {
  "": ["id", "status", "version", "dateCreated", "dateModified", "selfUri"],
  settings: ["healthStatus", "lastHealthCheck"],
};

/** What each field should hold, phrased so it can follow "must be" or "add". */
const EXPECTED: Record<string, string> = {
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

export interface ValidateOptions {
  /** When set (non-empty), the definition must carry a valid `signature`. */
  signingKey?: string;
  /** The clock for certificate validity; defaults to the current time. */
  now?: Date;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const FIELD_ORDER = Object.keys(channelInputSchema.shape);
function fieldRank(path: string): number {
  const top = /^[^.[]*/.exec(path)?.[0] ?? "";
  const rank = FIELD_ORDER.indexOf(top);
  return rank === -1 ? FIELD_ORDER.length : rank;
}

/**
 * Every failure is collected; nothing stops at the first one. The channel's result always carries
 * its warnings (certificates close to expiry), an empty list when there are none.
 */
export function validateChannel(input: unknown, opts: ValidateOptions = {}): ValidationResult<ChannelDefinition> & { warnings: string[] } {
  const warnings: string[] = [];
  if (!isRecord(input)) {
    return { ok: false, issues: [issue([], `must be a JSON object describing one channel (got ${describeValue(input)})`)], warnings };
  }
  const { parsed, issues } = parseIssues(channelInputSchema, input, {
    rootName: "a channel definition",
    serverSet: SERVER_SET_KEYS,
    expected: EXPECTED,
  });

  if (typeof input.name === "string" && input.name.length > 0 && input.name.trim() === "") {
    issues.push(issue(["name"], "must not be blank; give the channel a name people will recognise"));
  }

  let host: string | undefined;
  if (typeof input.endpointUrl === "string" && input.endpointUrl !== "") {
    const endpoint = checkEndpointUrl(input.endpointUrl);
    issues.push(...endpoint.issues);
    if (endpoint.url) host = endpointHost(endpoint.url);
  }

  if (Array.isArray(input.allowedOrigins)) issues.push(...checkOrigins(input.allowedOrigins));

  if (Array.isArray(input.channelTypes)) {
    const first = new Map<unknown, number>();
    input.channelTypes.forEach((type, index) => {
      const earlier = first.get(type);
      if (earlier === undefined) first.set(type, index);
      else if (typeof type === "string")
        issues.push(issue(["channelTypes", index], `duplicates channelTypes[${earlier}] ("${type}"); list each channel type once`));
    });
  }

  const settings = input.settings;
  if (isRecord(settings) && Array.isArray(settings.tlsCertificateChain)) {
    const chain = settings.tlsCertificateChain;
    if (chain.every((entry): entry is string => typeof entry === "string")) {
      const tls = checkCertificateChain(chain, { host, now: opts.now ?? new Date() });
      issues.push(...tls.issues);
      warnings.push(...tls.warnings);
    }
  }

  if (opts.signingKey) issues.push(...verifySignature(input, opts.signingKey));

  if (issues.length > 0 || !parsed.success) {
    // Stable sort: issues read in the order the fields appear in a definition.
    const ordered = issues.map((issue, i) => ({ issue, i })).sort((a, b) => fieldRank(a.issue.path) - fieldRank(b.issue.path) || a.i - b.i);
    return { ok: false, issues: ordered.map((o): ValidationIssue => o.issue), warnings };
  }
  return { ok: true, value: parsed.data, warnings };
}

/** What normalizeChannel reads: a definition, a stored state or a live brand. */
export type ChannelShape = Pick<ChannelDefinition, "name" | "endpointUrl" | "allowedOrigins" | "channelTypes"> & {
  description?: string;
  settings: Pick<ChannelDefinition["settings"], "maxConcurrentSessions" | "rateLimitThreshold"> &
    Partial<Pick<ChannelDefinition["settings"], "tlsCertificateChain" | "healthCheckInterval">>;
};

/**
 * The canonical form diffs compare, so that spellings of the same channel never show up as
 * changes: origins normalised, defaults filled in, channel types sorted, the chain as one PEM
 * block per certificate, and no signature (it signs the text, not the channel). Idempotent.
 */
export function normalizeChannel(def: ChannelShape): Omit<ChannelDefinition, "signature"> {
  const settings = def.settings;
  return {
    name: def.name,
    description: def.description ?? "",
    endpointUrl: def.endpointUrl,
    allowedOrigins: def.allowedOrigins.map(normaliseOrigin),
    channelTypes: [...new Set(def.channelTypes)].sort(),
    settings: {
      maxConcurrentSessions: settings.maxConcurrentSessions,
      rateLimitThreshold: settings.rateLimitThreshold,
      tlsCertificateChain: canonicalPemChain(settings.tlsCertificateChain ?? []),
      healthCheckInterval: settings.healthCheckInterval ?? LIMITS.healthCheckInterval.default,
    },
  };
}
