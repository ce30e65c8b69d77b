import { ApiError, notFound } from "../errors";

/** One named factory per error the web deployments surface answers (exact Genesys codes: unconfirmed). */

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
  return new ApiError(409, "conflict", `Web deployment configuration ${id} is being deleted.`, {
    messageParams: { id },
    details: [{ errorCode: "conflict", entityId: id }],
  });
}

export function deploymentDeleting(id: string): ApiError {
  return new ApiError(409, "conflict", `Web deployment ${id} is being deleted.`, {
    messageParams: { id },
    details: [{ errorCode: "conflict", entityId: id }],
  });
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
