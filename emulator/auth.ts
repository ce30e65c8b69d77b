import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { ResolvedConfig } from "./config";
import type { TokenRecord } from "./model";
import type { Store } from "./persistence/store";

export interface Principal {
  tokenHash: string;
  clientId: string;
  scopes: ReadonlySet<string>;
}

function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}

/** Compares digests, so that neither the length nor the content of a secret leaks through timing. */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const m = /^basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header ?? "");
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

function parseBearer(header: string | undefined): string | undefined {
  const m = /^bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1];
}

/**
 * Issues and checks opaque access tokens. Only a SHA-256 of each token is stored (in the database and the
 * in-memory cache), so a copy of the data file or a heap dump yields no usable credential.
 */
export class TokenService {
  private readonly cache = new Map<string, TokenRecord>();

  constructor(
    private readonly store: Store,
    private readonly config: ResolvedConfig,
  ) {}

  authenticateClient(authorization: string | undefined): ResolvedConfig["clients"][number] | undefined {
    const creds = parseBasic(authorization);
    if (!creds) return undefined;
    const client = this.config.clients.find((c) => c.clientId === creds.id);
    // Compare against a dummy secret for unknown ids too, so that response time does not reveal which ids exist.
    const ok = safeEqual(creds.secret, client?.clientSecret ?? "\u0000unknown-client");
    return ok ? client : undefined;
  }

  issue(client: ResolvedConfig["clients"][number]): { accessToken: string; expiresIn: number } {
    const accessToken = randomBytes(32).toString("base64url");
    const record: TokenRecord = {
      hash: sha256(accessToken),
      clientId: client.clientId,
      scopes: client.scopes,
      expiresAt: this.config.clock.now() + this.config.tokenTtlSeconds * 1000,
      revoked: false,
    };
    this.store.insertToken(record);
    this.cache.set(record.hash, record);
    return { accessToken, expiresIn: this.config.tokenTtlSeconds };
  }

  verify(authorization: string | undefined): Principal | undefined {
    const token = parseBearer(authorization);
    if (!token) return undefined;
    const hash = sha256(token);
    let record = this.cache.get(hash);
    if (!record) {
      record = this.store.findToken(hash);
      if (!record) return undefined;
      if (this.cache.size > 50_000) this.cache.clear();
      this.cache.set(hash, record);
    }
    if (record.revoked || record.expiresAt <= this.config.clock.now()) return undefined;
    return { tokenHash: hash, clientId: record.clientId, scopes: new Set(record.scopes) };
  }

  revoke(clientId?: string): number {
    const n = this.store.revokeTokens(clientId);
    for (const r of this.cache.values()) if (clientId === undefined || r.clientId === clientId) r.revoked = true;
    return n;
  }

  /** Tokens issued so far, by client id (the admin API's count). */
  issueCounts(): Record<string, number> {
    return this.store.tokenIssueCounts();
  }

  reset(): void {
    this.cache.clear();
  }
}
