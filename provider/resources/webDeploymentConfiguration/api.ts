/**
 * The Genesys Cloud calls of a web deployment configuration, typed after the JS SDK's models:
 *     create    POST   /api/v2/webdeployments/configurations              (creates the draft; unknown
 *                      outcome -> look up by name, never a blind resend)
 *     draft     GET    .../configurations/{id}/versions/draft             (404 -> undefined)
 *     putDraft  PUT    .../configurations/{id}/versions/draft             (whole document, last writer wins)
 *     publish   POST   .../configurations/{id}/versions/draft/publish     (draft -> version N+1)
 *     version   GET    .../configurations/{id}/versions/{n}               (404 -> undefined)
 *     versions  GET    .../configurations/{id}/versions                   (the most recent 50)
 *     list      GET    .../configurations?pageSize&after                  (cursor paging via nextUri)
 *     delete    DELETE .../configurations/{id}                            (every version; 404 -> already gone)
 */
import { deletedUnlessGone, unlessNotFound } from "../../genesys/errors";
import { type CursorPage, walk } from "../../genesys/paging";
import { PATHS } from "../../genesys/paths";
import type { CallTrace, Transport } from "../../genesys/transport";
import { createByUniqueName } from "../../genesys/unique-create";
import type { RuntimeContext } from "../../runtime/context";
import type { ConfigurationDefinition } from "./schema";

/** The document of a configuration version: exactly what the user declares (the schema's output). */
export type ConfigurationDocument = ConfigurationDefinition;

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
    return unlessNotFound(
      async () =>
        (
          await this.transport.request<ConfigurationVersion>({
            operation: `read the draft of web deployment configuration ${id}`,
            method: "GET",
            path: PATHS.configurationDraft(id),
            trace,
          })
        ).data,
    );
  }

  async version(id: string, version: string, trace?: CallTrace): Promise<ConfigurationVersion | undefined> {
    return unlessNotFound(
      async () =>
        (
          await this.transport.request<ConfigurationVersion>({
            operation: `read version ${version} of web deployment configuration ${id}`,
            method: "GET",
            path: PATHS.configurationVersion(id, version),
            trace,
          })
        ).data,
    );
  }

  /** The most recent versions the API lists (50), draft included; undefined when the configuration is gone. */
  async versions(id: string, trace?: CallTrace): Promise<ConfigurationVersion[] | undefined> {
    return unlessNotFound(async () => {
      const res = await this.transport.request<CursorPage<ConfigurationVersion>>({
        operation: `list the versions of web deployment configuration ${id}`,
        method: "GET",
        path: PATHS.configurationVersions(id),
        trace,
      });
      return res.data.entities ?? [];
    });
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
    return deletedUnlessGone(() =>
      this.transport.request({
        operation: `delete web deployment configuration ${id}`,
        method: "DELETE",
        path: PATHS.configuration(id),
        trace,
      }),
    );
  }
}

/** The API on the context's transport (so on its token, pacing and retries). */
export const configurationsOf = (ctx: RuntimeContext): WebDeploymentConfigurationsApi =>
  new WebDeploymentConfigurationsApi(ctx.client.transport);
