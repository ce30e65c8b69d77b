import type { FastifyInstance } from "fastify";
import type { EmulatorContext } from "../context";
import { invalidField, validationFailure, type ApiError } from "../errors";
import { objectOrEmpty } from "../validation";
import { BROKEN_KINDS, MAX_DELAY_MS, type BrokenKind, type WebDeploymentTiming } from "./contract";

/**
 * Admin steering of the web deployments surface (registered inside /__admin, behind its token):
 *   GET    /webdeployments/timing            the delays in force
 *   PUT    /webdeployments/timing            {activationDelayMs?, deletionDelayMs?, draftSettleMs?}
 *   GET    /webdeployments/broken            what is marked broken
 *   PUT    /webdeployments/broken/:kind/:id  {reason?}: deployments depending on it report Error
 *   DELETE /webdeployments/broken/:kind/:id  heal it
 */

type BrokenRoute = { Params: { kind: string; id: string } };

const DEFAULT_REASON: Record<BrokenKind, (id: string) => string> = {
  deployment: (id) => `Deployment ${id} could not be activated.`,
  flow: (id) => `Flow ${id} is not a published inbound message flow.`,
  configuration: (id) => `Configuration ${id} could not be deployed.`,
};

function kindOf(raw: string): BrokenKind {
  if (!(BROKEN_KINDS as readonly string[]).includes(raw)) throw invalidField("kind", `must be one of ${BROKEN_KINDS.join(", ")}`);
  return raw as BrokenKind;
}

export function registerWebDeploymentsAdmin(admin: FastifyInstance, ctx: EmulatorContext): void {
  const svc = ctx.webDeployments;

  admin.get("/webdeployments/timing", async () => svc.timing);

  admin.put("/webdeployments/timing", async (req) => {
    const body = objectOrEmpty(req.body);
    const errors: ApiError[] = [];
    const patch: Partial<WebDeploymentTiming> = {};
    for (const [key, value] of Object.entries(body)) {
      if (!["activationDelayMs", "deletionDelayMs", "draftSettleMs"].includes(key)) {
        errors.push(invalidField(key, "unknown property", "bad.request"));
      } else if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > MAX_DELAY_MS) {
        errors.push(invalidField(key, `must be an integer between 0 and ${MAX_DELAY_MS}`));
      } else patch[key as keyof WebDeploymentTiming] = value as number;
    }
    if (errors.length > 0) throw validationFailure(errors);
    return svc.setTiming(patch);
  });

  admin.get("/webdeployments/broken", async () => ({ broken: svc.listBroken() }));

  admin.put<BrokenRoute>("/webdeployments/broken/:kind/:id", async (req) => {
    const kind = kindOf(req.params.kind);
    const { reason } = objectOrEmpty(req.body);
    if (reason !== undefined && (typeof reason !== "string" || reason.trim() === "" || reason.length > 1000)) {
      throw invalidField("reason", "must be a non-empty string of at most 1000 characters");
    }
    const mark = { kind, id: req.params.id, reason: (reason as string | undefined) ?? DEFAULT_REASON[kind](req.params.id) };
    svc.setBroken(mark);
    return mark;
  });

  admin.delete<BrokenRoute>("/webdeployments/broken/:kind/:id", async (req, reply) => {
    svc.clearBroken(kindOf(req.params.kind), req.params.id);
    return reply.code(204).send();
  });
}
