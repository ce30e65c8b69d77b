/**
 * The real Genesys Cloud web deployments surface, as the emulator serves it. Every literal here is
 * transcribed from Genesys's own JS SDK (purecloud-platform-client-v2 262.x: WebDeploymentsApi.js for
 * paths and query parameters, index.d.ts for models) and its generated model enums, or from
 * docs/webdeployments-contract.md. Values the sources do not state are marked
 * "unconfirmed": they are the choice of a careful server, documented in docs/emulator.md.
 *
 * The emulator owns this contract: nothing here is imported from provider/.
 */

const BASE = "/api/v2/webdeployments";
export const CONFIGURATIONS = `${BASE}/configurations`;
export const DEPLOYMENTS = `${BASE}/deployments`;

/** OAuth scopes: read/write, and read only. */
export const WEBDEPLOYMENT_SCOPES = { write: "webdeployments", read: "webdeployments:readonly" } as const;
export const ALL_WEBDEPLOYMENT_SCOPES: readonly string[] = Object.values(WEBDEPLOYMENT_SCOPES);

/** WebDeployment.status and WebDeploymentConfigurationVersion.status (the SDK's StatusEnum). */
export const STATUSES = ["Pending", "Active", "Inactive", "Error", "Deleting"] as const;
export type Status = (typeof STATUSES)[number];

/** The version a draft reports (unconfirmed spelling; the API accepts "draft" in any case in the path). */
export const DRAFT_VERSION = "DRAFT";

/** GET .../versions answers the 50 most recent versions (WebDeploymentsApi.js). */
export const MAX_VERSIONS_LISTED = 50;

export const LIMITS = {
  /** WebDeploymentConfigurationVersion.name: 1-100 characters (contract). */
  configurationName: { min: 1, max: 100 },
  /** WebDeployment.name: unconfirmed; the same bound as a configuration's. */
  deploymentName: { min: 1, max: 100 },
  /** unconfirmed: generous bounds for free text. */
  description: { max: 1000 },
  /** Cursor paging: unconfirmed default and maximum page sizes. */
  pageSize: { default: 25, max: 100 },
  /** FileUploadMode.maxFileSizeKB: "Default is 10240 (10 MB)"; the maximum is unconfirmed, taken as that default. */
  maxFileSizeKB: { min: 1, max: 10_240 },
  allowedDomain: { max: 253 },
} as const;

/** Enums of the nested models, from the SDK's generated models. */
export const ENUMS = {
  launcherVisibility: ["On", "Off", "OnDemand"],
  launcherDisplayType: ["IconAndText", "Icon", "Text"],
  positionAlignment: ["Auto", "Left", "Right"],
  fileTypes: ["image/jpeg", "image/gif", "image/png"],
  cobrowseChannels: ["Webmessaging", "Voice"],
  pushProviders: ["APNS", "FCM"],
} as const;

/** Every member of WebDeploymentConfigurationVersion a client may write. */
export const CONFIGURATION_FIELDS = [
  "name",
  "description",
  "headlessMode",
  "languages",
  "defaultLanguage",
  "customI18nLabels",
  "messenger",
  "position",
  "supportCenter",
  "cobrowse",
  "journeyEvents",
  "authenticationSettings",
  "video",
] as const;

/** Server-owned members of a configuration version; a GET-modify-PUT echoes them, and they are ignored. */
export const CONFIGURATION_READ_ONLY = [
  "id",
  "version",
  "dateCreated",
  "dateModified",
  "datePublished",
  "lastModifiedUser",
  "createdUser",
  "publishedUser",
  "status",
  "selfUri",
] as const;

/** Every member of WebDeployment a client may write. */
export const DEPLOYMENT_FIELDS = [
  "name",
  "description",
  "allowAllDomains",
  "allowedDomains",
  "supportedContent",
  "flow",
  "pushIntegrations",
  "configuration",
] as const;

export const DEPLOYMENT_READ_ONLY = [
  "id",
  "snippet",
  "dateCreated",
  "dateModified",
  "lastModifiedUser",
  "status",
  "statusReason",
  "selfUri",
] as const;

/** expand values: on the deployments list (contract table) and on one deployment (WebDeploymentsApi.js). */
export const LIST_EXPANDS = ["Configuration", "SupportedContent"] as const;
export const GET_EXPANDS = ["supportedContent", "flowDetails", "Configuration"] as const;

/** What the emulator's admin API can mark broken, so that deployments depending on it go to Error. */
export const BROKEN_KINDS = ["deployment", "flow", "configuration"] as const;
export type BrokenKind = (typeof BROKEN_KINDS)[number];

/**
 * How long the asynchronous parts of the surface take. Genesys publishes no figures: the defaults are
 * short, so that a laptop demo and the tests stay quick, and every one is configurable.
 */
export interface WebDeploymentTiming {
  /** A created or updated deployment reports Pending for this long, then Active (or Error). */
  activationDelayMs: number;
  /** A deleted deployment or configuration reports Deleting for this long, then 404. */
  deletionDelayMs: number;
  /** A created or updated draft reports Pending for this long; publishing it meanwhile is refused with 400. */
  draftSettleMs: number;
}

export const DEFAULT_TIMING: WebDeploymentTiming = { activationDelayMs: 1000, deletionDelayMs: 500, draftSettleMs: 200 };
export const MAX_DELAY_MS = 600_000;
