/**
 * The one place each way a call can fail is put into words. Every message names the operation and
 * the fix, carries the correlation id when the server gave one, and never anything that
 * authenticates (the GenesysApiError is built from the call's description, never its headers).
 */
import type { ApiResponse, CallSpec } from "./call";
import { GenesysApiError, hintFor } from "./errors";
import type { RetryPolicy, AttemptOutcome } from "./retry";

/** A call that got a final answer outside 2xx. */
export function responseFailure(spec: CallSpec, res: ApiResponse<unknown>): GenesysApiError {
  const body = (res.data ?? {}) as { message?: string; code?: string };
  const code = typeof body.code === "string" ? body.code : undefined;
  const serverMessage = typeof body.message === "string" ? body.message : "";
  let message: string;
  if (res.status >= 300 && res.status < 400) {
    message = `${spec.operation} failed: the API answered with a redirect (${res.status}), which is not followed so credentials never leave the configured host; check genesys:apiUrl / region`;
  } else {
    message =
      `${spec.operation} failed: ${res.status}${code ? ` ${code}` : ""}` +
      (serverMessage ? ` - ${serverMessage}` : "") +
      `; ${hintFor(res.status, code, spec.path)}` +
      (res.correlationId ? ` (correlation id ${res.correlationId})` : "");
  }
  return new GenesysApiError(message, {
    operation: spec.operation,
    method: spec.method,
    path: spec.path,
    status: res.status,
    code,
    correlationId: res.correlationId,
    attempts: res.attempts,
  });
}

export interface TokenAnswer {
  access_token?: string;
  expires_in?: number;
  error?: string;
  description?: string;
  error_description?: string;
}

/** The login host refused to issue a token (or answered without one). */
export function tokenRefused(spec: CallSpec, res: ApiResponse<TokenAnswer | undefined>): GenesysApiError {
  const body = res.data ?? {};
  const reason = body.error_description ?? body.description ?? body.error ?? `HTTP ${res.status}`;
  return new GenesysApiError(`${spec.operation} failed: ${res.status} ${body.error ?? ""} (${reason}); ${hintFor(401, undefined)}`, {
    operation: spec.operation,
    method: spec.method,
    path: spec.path,
    status: res.status,
    code: body.error,
    correlationId: res.correlationId,
    attempts: res.attempts,
  });
}

/** The host's name does not resolve; `setting` names the stack setting that chose it. */
export function unresolvedHost(spec: CallSpec, baseUrl: string, setting: string, attempts: number): GenesysApiError {
  return new GenesysApiError(
    `${spec.operation} failed: the host ${hostOf(baseUrl)} does not resolve (ENOTFOUND); ` +
      `check ${setting} (a typo, or a region name where a domain was meant) and that the host resolves from where Pulumi runs`,
    { operation: spec.operation, method: spec.method, path: spec.path, code: "ENOTFOUND", attempts },
  );
}

/** The provider's address rules refused the connection (validation/checked-lookup.ts); nothing was sent. */
export function refusedAddress(spec: CallSpec, outcome: AttemptOutcome, attempts: number): GenesysApiError {
  const reason = outcome.kind === "network" && outcome.reason ? outcome.reason : "the host's address is not allowed";
  return new GenesysApiError(`${spec.operation} failed: ${reason}`, {
    operation: spec.operation,
    method: spec.method,
    path: spec.path,
    code: outcome.kind === "network" ? outcome.code : undefined,
    attempts,
  });
}

/** A write that may or may not have been applied, and so was not sent again. */
export function unknownOutcome(
  spec: CallSpec,
  outcome: AttemptOutcome,
  response: { status: number; correlationId?: string } | undefined,
  attempts: number,
): GenesysApiError {
  const correlationId = response?.correlationId;
  return new GenesysApiError(
    `${spec.operation} failed: ${describe(outcome)} and the outcome is unknown, so it was not sent again blindly` +
      (correlationId ? ` (correlation id ${correlationId})` : ""),
    {
      operation: spec.operation,
      method: spec.method,
      path: spec.path,
      status: response?.status,
      code: outcome.kind === "network" ? outcome.code : undefined,
      correlationId,
      attempts,
      outcomeUnknown: true,
    },
  );
}

/** No answer within the retry policy. */
export function gaveUp(spec: CallSpec, outcome: AttemptOutcome, attempts: number, elapsedMs: number, policy: RetryPolicy): GenesysApiError {
  return new GenesysApiError(
    `${spec.operation} failed: ${describe(outcome)}; gave up after ${attempts} attempts in ${Math.round(elapsedMs / 1000)} s ` +
      `(retry budget ${Math.round(policy.budgetMs / 1000)} s); ${hintFor(undefined, undefined)}`,
    {
      operation: spec.operation,
      method: spec.method,
      path: spec.path,
      code: outcome.kind === "network" ? outcome.code : undefined,
      attempts,
    },
  );
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

function describe(outcome: AttemptOutcome): string {
  if (outcome.kind === "response") return `HTTP ${outcome.status}`;
  switch (outcome.code) {
    case "ECONNABORTED":
    case "ETIMEDOUT":
      return "no response before the timeout";
    case "ECONNRESET":
    case "EPIPE":
      return "the connection was reset";
    case "ECONNREFUSED":
      return "the connection was refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the API host name did not resolve";
    default:
      return `a network error (${outcome.code})`;
  }
}
