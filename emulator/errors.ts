/**
 * Errors shaped like the Genesys Cloud Platform API's, so that the client's error handling is exercised
 * against the same body it meets in production. This module is the emulator's one error factory (as in
 * Azurite): every error a handler, service or hook answers is built by one of the named functions below,
 * so that one code always has one shape. `ApiError` is constructed nowhere else.
 */

export type GenesysErrorCode =
  | "bad.request"
  | "invalid.value"
  | "authentication.required"
  | "missing.any.permissions"
  | "not.found"
  | "conflict"
  | "version.mismatch"
  | "unsupported.media.type"
  | "payload.too.large"
  | "too.many.requests.retry.after"
  | "internal.server.error"
  | "bad.gateway"
  | "service.unavailable"
  | "gateway.timeout";

interface ErrorDetail {
  errorCode: string;
  fieldName?: string;
  entityId?: string;
}

export interface GenesysErrorBody {
  message: string;
  code: string;
  status: number;
  messageParams: Record<string, string>;
  contextId: string;
  details: ErrorDetail[];
  errors: Omit<GenesysErrorBody, "contextId" | "errors">[];
}

export interface ApiErrorOptions {
  messageParams?: Record<string, string>;
  details?: ErrorDetail[];
  errors?: ApiError[];
  headers?: Record<string, string>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: GenesysErrorCode | string,
    message: string,
    readonly options: ApiErrorOptions = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  toBody(contextId: string): GenesysErrorBody {
    return {
      message: this.message,
      code: this.code,
      status: this.status,
      messageParams: this.options.messageParams ?? {},
      contextId,
      details: this.options.details ?? [],
      errors: (this.options.errors ?? []).map((e) => ({
        message: e.message,
        code: e.code,
        status: e.status,
        messageParams: e.options.messageParams ?? {},
        details: e.options.details ?? [],
      })),
    };
  }
}

const CODE_BY_STATUS: Record<number, GenesysErrorCode> = {
  400: "bad.request",
  401: "authentication.required",
  403: "missing.any.permissions",
  404: "not.found",
  409: "conflict",
  413: "payload.too.large",
  415: "unsupported.media.type",
  429: "too.many.requests.retry.after",
  500: "internal.server.error",
  502: "bad.gateway",
  503: "service.unavailable",
  504: "gateway.timeout",
};

const MESSAGE_BY_STATUS: Record<number, string> = {
  400: "The request could not be understood by the server due to malformed syntax.",
  401: "Authentication failed.",
  403: "You are not authorized to perform the requested action.",
  404: "The requested resource was not found.",
  409: "The request conflicts with the current state of the resource.",
  413: "The request body is too large.",
  415: "Unsupported media type.",
  429: "Rate limit exceeded the maximum. Retry the request in [%s] seconds",
  500: "The server encountered an unexpected condition which prevented it from fulfilling the request.",
  502: "The server received an invalid response from an upstream server.",
  503: "Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance).",
  504: "The server did not receive a timely response from an upstream server.",
};

function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? "internal.server.error" : "bad.request");
}

/** A Genesys-shaped error for an arbitrary status, used by fault injection and framework errors. */
export function errorForStatus(status: number, message?: string, headers?: Record<string, string>): ApiError {
  const fallback = MESSAGE_BY_STATUS[status] ?? (status >= 500 ? MESSAGE_BY_STATUS[500] : MESSAGE_BY_STATUS[400]);
  const retryAfter = headers?.["retry-after"];
  const text = message ?? (status === 429 ? fallback!.replace("%s", retryAfter ?? "1") : fallback!);
  return new ApiError(status, codeForStatus(status), text, { headers });
}

function notFound(what: string): ApiError {
  return new ApiError(404, "not.found", what);
}

function conflictOn(message: string, params: Record<string, string>, detail: ErrorDetail): ApiError {
  return new ApiError(409, "conflict", message, { messageParams: params, details: [detail] });
}

// --- Requests and framework ---------------------------------------------------------------------

/** A body that is not a JSON object where one is expected (`what`: "The request body", "The fault rule"). */
export function notAnObject(what = "The request body"): ApiError {
  return new ApiError(400, "bad.request", `${what} must be a JSON object`);
}

export function routeNotFound(method: string, path: string): ApiError {
  return notFound(`No resource at ${method} ${path}.`);
}

// --- Authentication, permissions, rate ----------------------------------------------------------

export function authenticationRequired(message: string): ApiError {
  return new ApiError(401, "authentication.required", message);
}

export function forbidden(message: string): ApiError {
  return new ApiError(403, "missing.any.permissions", message);
}

export function missingPermissions(permissions: string): ApiError {
  return new ApiError(
    403,
    "missing.any.permissions",
    `Unable to perform the requested action. You are missing the following permission(s): [${permissions}]`,
    { messageParams: { permissions } },
  );
}

export function rateLimited(retryAfterSeconds: number): ApiError {
  return errorForStatus(429, undefined, { "retry-after": String(retryAfterSeconds) });
}

// --- Brands and webhooks ------------------------------------------------------------------------

export function brandNotFound(id: string): ApiError {
  return notFound(`Brand ${id} was not found.`);
}

export function brandNameTaken(name: string): ApiError {
  return conflictOn(`A brand named "${name}" already exists.`, { name }, { errorCode: "conflict", fieldName: "name" });
}

export function brandVersionMismatch(id: string, version: number | undefined): ApiError {
  return new ApiError(409, "version.mismatch", `The version supplied (${version}) does not match the current version of brand ${id}.`, {
    messageParams: { id, version: String(version) },
  });
}

export function webhookNotFound(id: string): ApiError {
  return notFound(`Webhook ${id} was not found.`);
}

export function webhookNameTaken(name: string): ApiError {
  return conflictOn(`A webhook named "${name}" already exists.`, { name }, { errorCode: "conflict", fieldName: "name" });
}

// --- Web deployments (exact Genesys codes: unconfirmed) -----------------------------------------

export function configurationNotFound(id: string): ApiError {
  return notFound(`Web deployment configuration ${id} was not found.`);
}

export function versionNotFound(id: string, version: string): ApiError {
  return notFound(`Version ${version} of web deployment configuration ${id} was not found.`);
}

export function deploymentNotFound(id: string): ApiError {
  return notFound(`Web deployment ${id} was not found.`);
}

export function draftNotReady(id: string): ApiError {
  return new ApiError(
    400,
    "bad.request",
    `The draft of web deployment configuration ${id} is still being processed (status Pending); publish it again in a moment.`,
    { messageParams: { id }, details: [{ errorCode: "bad.request", entityId: id }] },
  );
}

export function configurationDeleting(id: string): ApiError {
  return conflictOn(`Web deployment configuration ${id} is being deleted.`, { id }, { errorCode: "conflict", entityId: id });
}

export function deploymentDeleting(id: string): ApiError {
  return conflictOn(`Web deployment ${id} is being deleted.`, { id }, { errorCode: "conflict", entityId: id });
}

export function configurationInUse(id: string, deploymentIds: string[]): ApiError {
  return new ApiError(
    409,
    "conflict",
    `Web deployment configuration ${id} is used by deployment(s) ${deploymentIds.join(", ")}; delete them or point them at another configuration first.`,
    {
      messageParams: { id, deployments: deploymentIds.join(",") },
      details: deploymentIds.map((d) => ({ errorCode: "conflict", entityId: d })),
    },
  );
}

// --- Admin API ----------------------------------------------------------------------------------

export function faultNotFound(id: string): ApiError {
  return notFound(`Fault ${id} was not found.`);
}

export function brokenMarkNotFound(kind: string, id: string): ApiError {
  return notFound(`Nothing of kind ${kind} with id ${id} is marked broken.`);
}

// --- Field validation ---------------------------------------------------------------------------

/** One failing field; several of them make one 400 whose message names the first. */
export function invalidField(field: string, message: string, code: "invalid.value" | "bad.request" = "invalid.value"): ApiError {
  return new ApiError(400, code, `${field}: ${message}`, {
    messageParams: { field },
    details: [{ errorCode: code, fieldName: field }],
  });
}

export function validationFailure(fieldErrors: ApiError[]): ApiError {
  const first = fieldErrors[0]!;
  if (fieldErrors.length === 1) return first;
  return new ApiError(400, first.code, `${first.message} (and ${fieldErrors.length - 1} more)`, {
    messageParams: first.options.messageParams,
    details: fieldErrors.flatMap((e) => e.options.details ?? []),
    errors: fieldErrors,
  });
}
