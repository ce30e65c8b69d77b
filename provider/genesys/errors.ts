/**
 * One error type for every failed Genesys call. It carries what an engineer needs to act and to
 * open a support case (operation, status, Genesys code, correlation id) and never anything that
 * authenticates: no headers, no request config, no token, no client secret.
 */
export class GenesysApiError extends Error {
  readonly name = "GenesysApiError";
  constructor(
    message: string,
    readonly details: {
      operation: string;
      method: string;
      path: string;
      /** HTTP status, absent when no response arrived (timeout, reset, DNS). */
      status?: number;
      /** Genesys error code (`not.found`, `version.mismatch`, ...) or a transport code (`ECONNRESET`). */
      code?: string;
      correlationId?: string;
      attempts: number;
      /** True when a write may or may not have been applied (no response to a POST). */
      outcomeUnknown?: boolean;
    },
  ) {
    super(message);
  }
  get status(): number | undefined {
    return this.details.status;
  }
  get code(): string | undefined {
    return this.details.code;
  }
  get correlationId(): string | undefined {
    return this.details.correlationId;
  }
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, ...this.details };
  }
}

/** The fix to suggest for each failure an engineer can meet, keyed by status (and the API family of the path). */
export function hintFor(status: number | undefined, code: string | undefined, path?: string): string {
  if (path?.startsWith("/api/v2/webdeployments")) {
    if (status === 403) {
      return (
        "the OAuth client lacks a permission: give its role webDeployments:configuration:view/add/edit/delete and " +
        "webDeployments:deployment:view/add/edit/delete, and the client the webdeployments scope"
      );
    }
    if (status === 409) return "the configuration or deployment changed or is in use; run `pulumi refresh` and `pulumi up` again";
  }
  switch (status) {
    case 400:
      return "the request was refused as invalid; fix the field named above (the provider's own checks list every rule in docs/validation.md)";
    case 401:
      // refresh and destroy run with the provider configuration saved in the state by the last
      // run of the program, so a secret fixed since then only reaches them with --run-program.
      return (
        "the OAuth client was refused: check genesys:clientId / genesys:clientSecret (pulumi config set --secret genesys:clientSecret ...), " +
        "that the client is active, and the region; `pulumi refresh` and `pulumi destroy` use the settings saved by the last " +
        "`pulumi up`: after fixing them, add --run-program to those two (or run `pulumi up` first)"
      );
    case 403:
      return "the OAuth client lacks a permission: grant it the scope named above (webchat:brand:read, webchat:brand:write, webhooks:webhook:write)";
    case 404:
      return "the object no longer exists; run `pulumi refresh` to drop it from the state";
    case 409:
      return code === "version.mismatch"
        ? "someone changed the channel at the same time; run `pulumi refresh` and `pulumi up` again"
        : "the name is already taken; choose another name or adopt the existing channel with adoptExistingId";
    case 429:
      return "the API kept answering 429 (rate limit) beyond what the retry policy waits for; lower `pulumi up --parallel` or try later";
    default:
      if (status !== undefined && status >= 500) return "Genesys Cloud is failing; retry later and quote the correlation id to support";
      return "the API could not be reached; check the region / genesys:apiUrl and the network";
  }
}

/** A read's answer, or undefined when the object is not there (404). */
export async function unlessNotFound<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof GenesysApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** Runs a DELETE; false when the object was already gone (404). */
export async function deletedUnlessGone(call: () => Promise<unknown>): Promise<boolean> {
  return (await unlessNotFound(async () => (await call(), true))) ?? false;
}
