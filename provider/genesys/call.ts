/**
 * What one logical call is, as every layer of the transport sees it: its description (for errors
 * and the audit trail), its final answer, and the trace it leaves for the audit record.
 */
export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface CallSpec {
  /** What the caller is doing, for errors and the audit trail: "create brand \"support\"". */
  operation: string;
  method: Method;
  path: string;
  query?: Record<string, string | number>;
  /** Defaults to true for GET, PUT and DELETE. */
  idempotent?: boolean;
}

/** The answer a call ended with (any status), after every attempt the policy allowed. */
export interface ApiResponse<T> {
  status: number;
  data: T;
  correlationId?: string;
  attempts: number;
}

export interface CallTrace {
  attempts: number;
  /** Attempts that resent a call (the transport's own count, not inferred from answers). */
  retries: number;
  correlationIds: string[];
}

export function newTrace(): CallTrace {
  return { attempts: 0, retries: 0, correlationIds: [] };
}
