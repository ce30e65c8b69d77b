import { LIMITS } from "./limits";
import { describeValue, type ValidationIssue } from "./issues";
import { channelInputSchema, translateZodIssues, type ChannelDefinition } from "./schema";
import { checkOrigins, normaliseOrigin } from "./origins";
import { checkEndpointUrl, endpointHost } from "./endpoint";
import { canonicalPemChain, checkCertificateChain } from "./tls";
import { verifySignature } from "./signature";

export type ValidationResult =
  { ok: true; value: ChannelDefinition; warnings: string[] } | { ok: false; issues: ValidationIssue[]; warnings: string[] };

export interface ValidateOptions {
  /** When set (non-empty), the definition must carry a valid `signature`. */
  signingKey?: string;
  /** The clock for certificate validity; defaults to the current time. */
  now?: Date;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const FIELD_ORDER = ["name", "description", "endpointUrl", "allowedOrigins", "channelTypes", "settings", "signature"];
function fieldRank(path: string): number {
  const top = /^[^.[]*/.exec(path)?.[0] ?? "";
  const rank = FIELD_ORDER.indexOf(top);
  return rank === -1 ? FIELD_ORDER.length : rank;
}

/**
 * Pure, synchronous, no network: everything that `pulumi preview` can report before any API call.
 * Every failure is collected; nothing stops at the first one.
 */
export function validateChannel(input: unknown, opts: ValidateOptions = {}): ValidationResult {
  const warnings: string[] = [];
  if (!isRecord(input)) {
    return {
      ok: false,
      issues: [{ path: "", message: `must be a JSON object describing one channel (got ${describeValue(input)})` }],
      warnings,
    };
  }
  const parsed = channelInputSchema.safeParse(input);
  const issues: ValidationIssue[] = parsed.success ? [] : translateZodIssues(parsed.error.issues, input);

  if (typeof input.name === "string" && input.name.length > 0 && input.name.trim() === "") {
    issues.push({ path: "name", message: "must not be blank; give the channel a name people will recognise" });
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
        issues.push({
          path: `channelTypes[${index}]`,
          message: `duplicates channelTypes[${earlier}] ("${type}"); list each channel type once`,
        });
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
    return { ok: false, issues: ordered.map((o) => o.issue), warnings };
  }

  const data = parsed.data;
  const value: ChannelDefinition = {
    name: data.name,
    description: data.description ?? "",
    endpointUrl: data.endpointUrl,
    allowedOrigins: [...data.allowedOrigins],
    channelTypes: [...data.channelTypes],
    settings: {
      maxConcurrentSessions: data.settings.maxConcurrentSessions,
      rateLimitThreshold: data.settings.rateLimitThreshold,
      tlsCertificateChain: [...(data.settings.tlsCertificateChain ?? [])],
      healthCheckInterval: data.settings.healthCheckInterval ?? LIMITS.healthCheckInterval.default,
    },
    ...(data.signature !== undefined ? { signature: data.signature } : {}),
  };
  return { ok: true, value, warnings };
}

/**
 * The canonical form diffs compare, so that spellings of the same channel never show up as
 * changes: origins normalised, defaults filled in, channel types sorted, the chain as one PEM
 * block per certificate, and no signature (it signs the text, not the channel). Idempotent.
 */
export function normalizeChannel(def: ChannelDefinition): ChannelDefinition {
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
