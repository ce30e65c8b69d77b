/**
 * One plain verb per lifecycle step, the same for every resource: `resourceType` says which kind.
 * (Trails written before this scheme also hold `webhook.create|read|update|delete`.)
 */
type AuditAction = "check" | "create" | "read" | "update" | "delete" | "health" | "adopt";

export interface AuditEvent {
  action: AuditAction;
  /** "genesys:WebMessagingChannel" | "genesys:LoadBalancerWebhook" | "genesys:WebDeploymentConfiguration" | "genesys:WebDeployment" */
  resourceType: string;
  /** Pulumi logical name (or brand name). */
  resourceName: string;
  /** Brand or webhook id. */
  targetId?: string;
  outcome: "success" | "failure";
  durationMs: number;
  /** HTTP attempts made. */
  attempts?: number;
  retries?: number;
  /** Genesys inin-correlation-id values. */
  correlationIds?: string[];
  /** Redacted before it is stored. */
  error?: string;
  /** Never stored: only the sha256 of its redacted canonical JSON is. */
  payload?: unknown;
  /** For health checks / provisioning ("handshake") success rate. */
  healthStatus?: string;
  /** Who: OAuth client id (not a secret) and/or OS user. Defaults to the OS user. */
  actor?: string;
}

export interface AuditRecord extends Omit<AuditEvent, "payload"> {
  seq: number;
  timestamp: string;
  payloadHash?: string;
  prevHash: string;
  hash: string;
  pid: number;
}

export interface AuditOptions {
  dir: string;
  /** Literal values to scrub anywhere in a record. */
  secrets?: string[];
  now?: () => Date;
}

export interface AuditProblem {
  file: string;
  line: number;
  seq?: number;
  reason: string;
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  files: string[];
  problems: AuditProblem[];
}

interface ActionMetrics {
  count: number;
  failures: number;
  averageLatencyMs: number;
  p95LatencyMs: number;
}

export interface AuditMetrics {
  /** Audited operations (records), not HTTP attempts. */
  totalAttempts: number;
  successes: number;
  failures: number;
  averageLatencyMs: number;
  p95LatencyMs: number;
  /** Share (0..1) of "create" and "adopt" operations that succeeded; 0 when there were none. */
  provisioningSuccessRate: number;
  byAction: Record<string, ActionMetrics>;
}
