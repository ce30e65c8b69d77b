import { CONFIGURATIONS, DEPLOYMENTS, DRAFT_VERSION } from "./contract";
import type { ConfigurationRecord, DeploymentRecord, PublishedVersion } from "./model";
import type { WebDeploymentsService } from "../services/webdeployments";

/** The SDK's model shapes (WebDeploymentConfigurationVersion, WebDeployment) built from stored records. */

function versionUri(id: string, version: string | number): string {
  return `${CONFIGURATIONS}/${id}/versions/${typeof version === "number" ? version : version.toLowerCase()}`;
}

export function renderDraft(svc: WebDeploymentsService, c: ConfigurationRecord): Record<string, unknown> {
  return {
    id: c.id,
    ...c.draft,
    version: DRAFT_VERSION,
    dateCreated: c.dateCreated,
    dateModified: c.draftModified,
    status: svc.draftStatus(c),
    selfUri: versionUri(c.id, "draft"),
  };
}

export function renderVersion(svc: WebDeploymentsService, c: ConfigurationRecord, v: PublishedVersion): Record<string, unknown> {
  return {
    id: c.id,
    ...v.content,
    version: String(v.number),
    dateCreated: v.dateCreated,
    dateModified: v.dateModified,
    datePublished: v.datePublished,
    status: svc.publishedStatus(c),
    selfUri: versionUri(c.id, v.number),
  };
}

/** `configuration` is the entity reference, or with expand=Configuration the whole version it points at. */
export function renderDeployment(svc: WebDeploymentsService, d: DeploymentRecord, expandConfiguration = false): Record<string, unknown> {
  const { status, reason } = svc.deploymentState(d);
  const ref = d.content.configuration;
  const { config, version } = svc.referenced(d);
  const configuration =
    expandConfiguration && config && version
      ? renderVersion(svc, config, version)
      : {
          id: ref.id,
          ...(version ? { name: version.content.name } : {}),
          version: ref.version,
          selfUri: versionUri(ref.id, Number(ref.version)),
        };
  return {
    id: d.id,
    name: d.content.name,
    ...(d.content.description !== undefined ? { description: d.content.description } : {}),
    allowAllDomains: d.content.allowAllDomains,
    allowedDomains: d.content.allowedDomains,
    ...(d.content.supportedContent ? { supportedContent: d.content.supportedContent } : {}),
    snippet: d.snippet,
    dateCreated: d.dateCreated,
    dateModified: d.dateModified,
    ...(d.content.flow ? { flow: { id: d.content.flow.id, selfUri: `/api/v2/flows/${d.content.flow.id}` } } : {}),
    status,
    // Not in the SDK's model: Genesys gives no reason for Error. The emulator names the fault it injected.
    ...(reason !== undefined ? { statusReason: reason } : {}),
    ...(d.content.pushIntegrations ? { pushIntegrations: d.content.pushIntegrations } : {}),
    configuration,
    selfUri: `${DEPLOYMENTS}/${d.id}`,
  };
}

/**
 * The Messenger's loader, shaped like the snippet Genesys generates: a bootstrap script from the apps
 * host with the deployment id and environment. Here the emulator's own origin stands in for that host.
 */
export function buildSnippet(origin: string, deploymentId: string): string {
  return [
    `<script type="text/javascript" charset="utf-8">`,
    `  (function (g, e, n, es, ys) {`,
    `    g['_genesysJs'] = e;`,
    `    g[e] = g[e] || function () { (g[e].q = g[e].q || []).push(arguments); };`,
    `    g[e].t = 1 * new Date();`,
    `    g[e].c = es;`,
    `    ys = document.createElement('script'); ys.async = 1; ys.src = n; ys.charset = 'utf-8'; document.head.appendChild(ys);`,
    `  })(window, 'Genesys', '${origin}/genesys-bootstrap/genesys.min.js', {`,
    `    environment: 'emulator',`,
    `    deploymentId: '${deploymentId}'`,
    `  });`,
    `</script>`,
  ].join("\n");
}
