/**
 * Secret scrubbing shared by the audit trail and the provider's error messages: every error that
 * leaves the provider toward the Pulumi engine passes scrubError (runtime/index.ts).
 *
 * Over-redaction is the accepted failure mode: an auditor losing a harmless value
 * costs little, a credential reaching an append-only file can never be taken back.
 */

const REDACTED = "[REDACTED]";

const SECRET_KEY = /secret|token|password|authorization|signature|signingkey|apikey|credential/i;

/** Keys are compared with separators removed so "api_key", "x-api-key" and "signing_key" are caught too. */
function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) || SECRET_KEY.test(key.replace(/[-_.\s]/g, ""));
}

// Inside free text (error messages often embed a response body or a request config).
const BEARER = /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi;
const BASIC = /\bBasic\s+([A-Za-z0-9+/]{4,}={0,2})/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const SECRET_KEY_WORDS = "[A-Za-z0-9_-]*(?:secret|token|password|authorization|signature|signing_?key|api_?key|credential)[A-Za-z0-9_-]*";
// "clientSecret": "abc" / 'token': 'abc' as found in JSON.stringify(response.data) or util.inspect output.
// The look-behind anchors the key at a word start: without it a long unbroken word backtracks quadratically.
const QUOTED_PAIR = new RegExp(`(?<![A-Za-z0-9_-])(["']?${SECRET_KEY_WORDS}["']?\\s*[:=]\\s*)(["'])(?:\\\\.|(?!\\2).)*\\2`, "gi");
// access_token=abc&... in URLs and form bodies.
const QUERY_PAIR = new RegExp(`([?&;\\s]${SECRET_KEY_WORDS}=)[^&\\s"']+`, "gi");

function looksLikeBasicCredentials(b64: string): boolean {
  // "Basic" is also an English word; only base64 that decodes to "user:pass" is a credential.
  const decoded = Buffer.from(b64, "base64").toString("utf8");
  return /^[\x20-\x7e]+:[\x20-\x7e]*$/.test(decoded);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Builds one scrubber per secret list so the regex is not recompiled for every string. */
export function makeStringScrubber(secrets: readonly string[] = []): (s: string) => string {
  const literals = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== "string" || s.length === 0) continue;
    literals.add(s);
    // Secrets travel URL-encoded in query strings and base64-encoded in Basic headers.
    literals.add(encodeURIComponent(s));
    literals.add(Buffer.from(s, "utf8").toString("base64").replace(/=+$/, ""));
  }
  // Longest first so a secret that contains another is removed whole.
  const ordered = [...literals].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  const literalRe = ordered.length > 0 ? new RegExp(ordered.map(escapeRegExp).join("|"), "g") : undefined;

  return (input: string): string => {
    let out = literalRe ? input.replace(literalRe, REDACTED) : input;
    out = out.replace(BEARER, `Bearer ${REDACTED}`);
    out = out.replace(BASIC, (whole, b64: string) => (looksLikeBasicCredentials(b64) ? `Basic ${REDACTED}` : whole));
    out = out.replace(JWT, REDACTED);
    out = out.replace(QUOTED_PAIR, (_m, prefix: string, quote: string) => `${prefix}${quote}${REDACTED}${quote}`);
    out = out.replace(QUERY_PAIR, (_m, prefix: string) => `${prefix}${REDACTED}`);
    return out;
  };
}

/**
 * Returns a JSON-safe deep copy of `value` with secret-named keys replaced by "[REDACTED]",
 * every literal in `secrets` scrubbed from every string (keys included), and credential
 * patterns (bearer tokens, Basic auth, JWTs, key=value pairs) scrubbed from free text.
 */
export function redact(value: unknown, secrets: string[] = []): unknown {
  return redactWith(value, makeStringScrubber(secrets));
}

export function redactWith(value: unknown, scrub: (s: string) => string): unknown {
  const seen = new WeakSet<object>();

  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return scrub(v);
    if (v === null || typeof v === "boolean") return v;
    if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "undefined" || typeof v === "function" || typeof v === "symbol") return undefined;
    if (typeof v !== "object") return undefined;

    if (seen.has(v)) return "[Circular]";
    seen.add(v);
    try {
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
      if (Buffer.isBuffer(v) || ArrayBuffer.isView(v)) return `[binary ${(v as ArrayBufferView).byteLength} bytes]`;
      if (v instanceof Error) {
        // Axios errors carry the request config (headers included) as enumerable props.
        const { name, message } = v;
        const rest = walkObject(Object.entries(v));
        return { ...rest, name: scrub(name), message: scrub(message) };
      }
      if (Array.isArray(v))
        return v.map((item) => {
          const r = walk(item);
          return r === undefined ? null : r;
        });
      if (v instanceof Map) return walkObject([...v.entries()].map(([k, val]) => [String(k), val]));
      if (v instanceof Set) return [...v].map((item) => walk(item) ?? null);
      const withToJson = v as { toJSON?: unknown };
      if (typeof withToJson.toJSON === "function") return walk((withToJson.toJSON as () => unknown).call(v));
      return walkObject(Object.entries(v));
    } finally {
      seen.delete(v);
    }
  };

  const walkObject = (entries: [string, unknown][]): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, val] of entries) {
      const safeKey = scrub(key);
      if (isSecretKey(key)) {
        if (val !== undefined) out[safeKey] = REDACTED;
        continue;
      }
      const r = walk(val);
      if (r !== undefined) out[safeKey] = r;
    }
    return out;
  };

  return walk(value);
}

/**
 * Scrubs an error in place before it leaves the provider: the message and stack of it and of every
 * cause below it (and of an AggregateError's errors). In place, so its class, status, code,
 * correlation id, partial-create details and `cause` all stay as they were. A thrown non-Error
 * becomes an Error with the scrubbed text.
 */
export function scrubError(err: unknown, scrub: (s: string) => string): unknown {
  if (!(err instanceof Error)) return new Error(scrub(String(err)));
  const seen = new Set<Error>();
  const visit = (e: unknown): void => {
    if (!(e instanceof Error) || seen.has(e)) return;
    seen.add(e);
    e.message = scrub(e.message);
    if (typeof e.stack === "string") e.stack = scrub(e.stack);
    if (e instanceof AggregateError) e.errors.forEach(visit);
    visit(e.cause);
  };
  visit(err);
  return err;
}
