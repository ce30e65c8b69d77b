/**
 * The Genesys Cloud calls of a web deployment, typed after the JS SDK's models:
 *   create    POST   /api/v2/webdeployments/deployments     (unknown outcome -> look up by name)
 *   get       GET    .../deployments/{id}                   (404 -> undefined)
 *   put       PUT    .../deployments/{id}                   (whole document)
 *   list      GET    .../deployments?pageSize&after
 *   delete    DELETE .../deployments/{id}                   (asynchronous; 404 -> already gone)
 */
import { deletedUnlessGone, unlessNotFound } from "../../genesys/errors";
import { walk } from "../../genesys/paging";
import { PATHS } from "../../genesys/paths";
import type { CallTrace, Transport } from "../../genesys/transport";
import { createByUniqueName } from "../../genesys/unique-create";
import type { RuntimeContext } from "../../runtime/context";

export interface DeploymentDocument {
  name: string;
  description?: string;
  allowAllDomains?: boolean;
  allowedDomains?: string[];
  flow?: { id: string };
  supportedContent?: { id: string };
  pushIntegrations?: { id: string; provider: string }[];
  configuration: { id: string; version: string };
}

export interface Deployment extends DeploymentDocument {
  id: string;
  status?: string;
  snippet?: string;
  dateCreated?: string;
  dateModified?: string;
  selfUri?: string;
  [extra: string]: unknown;
}

export class WebDeploymentsApi {
  constructor(private readonly transport: Transport) {}

  async create(doc: DeploymentDocument, trace?: CallTrace): Promise<{ deployment: Deployment; recovered: boolean }> {
    const operation = `create web deployment "${doc.name}"`;
    const { created, recovered } = await createByUniqueName(
      async () => (await this.transport.request<Deployment>({ operation, method: "POST", path: PATHS.deployments, body: doc, trace })).data,
      () => this.findByName(doc.name, trace),
    );
    return { deployment: created, recovered };
  }

  findByName(name: string, trace?: CallTrace): Promise<Deployment | undefined> {
    return walk<Deployment>(this.transport, `look up web deployment "${name}" by name`, PATHS.deployments, trace, (d) => d.name === name);
  }

  get(id: string, trace?: CallTrace): Promise<Deployment | undefined> {
    return unlessNotFound(
      async () =>
        (
          await this.transport.request<Deployment>({
            operation: `read web deployment ${id}`,
            method: "GET",
            path: PATHS.deployment(id),
            trace,
          })
        ).data,
    );
  }

  async put(id: string, doc: DeploymentDocument, trace?: CallTrace): Promise<Deployment> {
    return (
      await this.transport.request<Deployment>({
        operation: `update web deployment "${doc.name}" (${id})`,
        method: "PUT",
        path: PATHS.deployment(id),
        body: doc,
        trace,
      })
    ).data;
  }

  /** Starts the asynchronous delete; returns false when the deployment was already gone. */
  delete(id: string, trace?: CallTrace): Promise<boolean> {
    return deletedUnlessGone(() =>
      this.transport.request({ operation: `delete web deployment ${id}`, method: "DELETE", path: PATHS.deployment(id), trace }),
    );
  }
}

/** The API on the context's transport (so on its token, pacing and retries). */
export const deploymentsOf = (ctx: RuntimeContext): WebDeploymentsApi => new WebDeploymentsApi(ctx.client.transport);
