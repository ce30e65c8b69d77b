/**
 * Audit trail of provider operations: who did what to which resource, when, how long it took,
 * with which (hashed) payload, and whether it worked.
 */
export type { AuditEvent, AuditRecord, AuditMetrics } from "./types";
export { AuditTrail } from "./trail";
export { verifyTrail } from "./verify";
export { summarize } from "./metrics";
export { redact } from "./redact";
export { PostgresAuditTrail, AuditDatabaseError, AUDIT_SCHEMA_SQL, exportAuditTrail, initAuditSchema } from "./postgres";
