/**
 * Errors shaped like the Genesys Cloud Platform API's, so that the client's error handling is exercised
 * against the same body it meets in production.
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

export function notFound(what = "The requested resource was not found."): ApiError {
  return new ApiError(404, "not.found", what);
}

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
