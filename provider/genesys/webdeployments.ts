/**
 * Genesys Cloud web deployment calls, typed after the JS SDK's models. Lifecycle -> HTTP:
 *   configurations
 *     create    POST   /api/v2/webdeployments/configurations              (creates the draft; unknown
 *                      outcome -> look up by name, never a blind resend)
 *     draft     GET    .../configurations/{id}/versions/draft             (404 -> undefined)
 *     putDraft  PUT    .../configurations/{id}/versions/draft             (whole document, last writer wins)
 *     publish   POST   .../configurations/{id}/versions/draft/publish     (draft -> version N+1)
 *     version   GET    .../configurations/{id}/versions/{n}               (404 -> undefined)
 *     versions  GET    .../configurations/{id}/versions                   (the most recent 50)
 *     list      GET    .../configurations?pageSize&after                  (cursor paging via nextUri)
 *     delete    DELETE .../configurations/{id}                            (every version; 404 -> already gone)
 *   deployments
 *     create    POST   /api/v2/webdeployments/deployments                 (unknown outcome -> look up by name)
 *     get       GET    .../deployments/{id}                               (404 -> undefined)
 *     put       PUT    .../deployments/{id}                               (whole document)
 *     list      GET    .../deployments?pageSize&after
 *     delete    DELETE .../deployments/{id}                               (asynchronous; 404 -> already gone)
 */
import { GenesysApiError } from "./errors";
import { PATHS } from "./paths";
import { createByUniqueName } from "./unique-create";
import type { CallTrace, Transport } from "./transport";

/** The document of a configuration version: everything the user declares (name and the rest). */
export interface ConfigurationDocument {
  name: string;
  [field: string]: unknown;
}

export interface ConfigurationVersion extends ConfigurationDocument {
  id: string;
  /** "draft"/"DRAFT" for the draft, "1", "2", ... for published versions (a string in the SDK). */
  version?: string;
  status?: string;
  dateCreated?: string;
  dateModified?: string;
  datePublished?: string;
  selfUri?: string;
}

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

interface CursorPage<T> {
  entities?: T[];
  nextUri?: string;
  previousUri?: string;
  total?: number;
}

const PAGE_SIZE = 100;
/** Enough pages for any org; a server whose cursor never ends cannot keep a lookup going for ever. */
const MAX_PAGES = 200;

function isNotFound(err: unknown): boolean {
  return err instanceof GenesysApiError && err.status === 404;
}

/** Walks a cursor-paged listing, following nextUri's `after` cursor, until `stop` says so. */
async function walk<T>(
  transport: Transport,
  operation: string,
  path: string,
  trace: CallTrace | undefined,
  stop: (entity: T) => boolean,
  extraQuery: Record<string, string | number> = {},
): Promise<T | undefined> {
  let query: Record<string, string | number> = { pageSize: PAGE_SIZE, ...extraQuery };
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await transport.request<CursorPage<T>>({ operation, method: "GET", path, query, trace });
    const found = (res.data.entities ?? []).find(stop);
    if (found) return found;
    const next = res.data.nextUri;
    if (!next) return undefined;
    const after = new URL(next, "http://cursor.invalid").searchParams.get("after");
    if (!after) return undefined;
    query = { pageSize: PAGE_SIZE, ...extraQuery, after };
  }
  return undefined;
}

export class WebDeploymentConfigurationsApi {
  constructor(private readonly transport: Transport) {}

  async create(doc: ConfigurationDocument, trace?: CallTrace): Promise<{ configuration: ConfigurationVersion; recovered: boolean }> {
    const operation = `create web deployment configuration "${doc.name}"`;
    const { created, recovered } = await createByUniqueName(
      async () =>
        (await this.transport.request<ConfigurationVersion>({ operation, method: "POST", path: PATHS.configurations, body: doc, trace }))
          .data,
      () => this.findByName(doc.name, trace),
    );
    return { configuration: created, recovered };
  }

  findByName(name: string, trace?: CallTrace): Promise<ConfigurationVersion | undefined> {
    return walk<ConfigurationVersion>(
      this.transport,
      `look up web deployment configuration "${name}" by name`,
      PATHS.configurations,
      trace,
      (c) => c.name === name,
    );
  }

  async draft(id: string, trace?: CallTrace): Promise<ConfigurationVersion | undefined> {
    try {
      return (
        await this.transport.request<ConfigurationVersion>({
          operation: `read the draft of web deployment configuration ${id}`,
          method: "GET",
          path: PATHS.configurationDraft(id),
          trace,
        })
      ).data;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async version(id: string, version: string, trace?: CallTrace): Promise<ConfigurationVersion | undefined> {
    try {
      return (
        await this.transport.request<ConfigurationVersion>({
          operation: `read version ${version} of web deployment configuration ${id}`,
          method: "GET",
          path: PATHS.configurationVersion(id, version),
          trace,
        })
      ).data;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The most recent versions the API lists (50), draft included; undefined when the configuration is gone. */
  async versions(id: string, trace?: CallTrace): Promise<ConfigurationVersion[] | undefined> {
    try {
      const res = await this.transport.request<CursorPage<ConfigurationVersion>>({
        operation: `list the versions of web deployment configuration ${id}`,
        method: "GET",
        path: PATHS.configurationVersions(id),
        trace,
      });
      return res.data.entities ?? [];
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The highest published version number, "" when nothing is published, undefined when gone. */
  async latestPublished(id: string, trace?: CallTrace): Promise<string | undefined> {
    const all = await this.versions(id, trace);
    if (!all) return undefined;
    const numbers = all.map((v) => Number(v.version)).filter((n) => Number.isInteger(n) && n > 0);
    return numbers.length === 0 ? "" : String(Math.max(...numbers));
  }

  async putDraft(id: string, doc: ConfigurationDocument, trace?: CallTrace): Promise<ConfigurationVersion> {
    return (
      await this.transport.request<ConfigurationVersion>({
        operation: `update the draft of web deployment configuration "${doc.name}" (${id})`,
        method: "PUT",
        path: PATHS.configurationDraft(id),
        body: doc,
        trace,
      })
    ).data;
  }

  async publish(id: string, trace?: CallTrace): Promise<ConfigurationVersion> {
    return (
      await this.transport.request<ConfigurationVersion>({
        operation: `publish the draft of web deployment configuration ${id}`,
        method: "POST",
        path: PATHS.configurationPublish(id),
        trace,
      })
    ).data;
  }

  /** Returns false when the configuration was already gone. */
  async delete(id: string, trace?: CallTrace): Promise<boolean> {
    try {
      await this.transport.request({
        operation: `delete web deployment configuration ${id}`,
        method: "DELETE",
        path: PATHS.configuration(id),
        trace,
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
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

  async get(id: string, trace?: CallTrace): Promise<Deployment | undefined> {
    try {
      return (
        await this.transport.request<Deployment>({
          operation: `read web deployment ${id}`,
          method: "GET",
          path: PATHS.deployment(id),
          trace,
        })
      ).data;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
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
  async delete(id: string, trace?: CallTrace): Promise<boolean> {
    try {
      await this.transport.request({ operation: `delete web deployment ${id}`, method: "DELETE", path: PATHS.deployment(id), trace });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}
