/**
 * The limits and enums of Genesys Cloud web deployments, as the provider checks them before any
 * API call. Sources: Genesys's JS SDK models (purecloud-platform-client-v2 262.x) for field names,
 * and the validations of Genesys's Terraform provider (genesyscloud_webdeployments_configuration /
 * _deployment) for enums and bounds the SDK leaves as plain strings. The emulator keeps its own
 * copy of what the server enforces; a test checks the two agree where they overlap.
 */
export const WEB_DEPLOYMENT_LIMITS = {
  configurationName: { min: 1, max: 100 },
  deploymentName: { min: 1, max: 100 },
  /** Unconfirmed upstream; the emulator's bound, kept in step by a test. */
  description: { max: 1_000 },
  /** FileUploadMode.maxFileSizeKB: "Default is 10240 (10 MB)", also the largest Genesys accepts. */
  maxFileSizeKB: { min: 1, max: 10_240 },
  /** A DNS name is at most 253 characters. */
  allowedDomain: { max: 253 },
  idleAfterSeconds: { min: 30 },
  scrollPercentage: { min: 0, max: 100 },
  trackingQueryParameters: { max: 50 },
  ipFilters: { max: 10 },
  /** How long a publish refused with 400 is retried: Genesys's Terraform provider waits 30 s. */
  publishRetrySeconds: 30,
} as const;

export const WEB_DEPLOYMENT_ENUMS = {
  localizedLabelKey: [
    "MessengerHomeHeaderTitle",
    "MessengerHomeHeaderSubTitle",
    "PushNotificationTitle",
    "PushNotificationBody",
    "MessengerLauncherButtonText",
  ],
  positionAlignment: ["Auto", "Left", "Right"],
  fileTypes: ["image/jpeg", "image/gif", "image/png"],
  launcherVisibility: ["On", "Off", "OnDemand"],
  launcherDisplayType: ["Icon", "Text", "IconAndText"],
  sessionPersistenceType: ["AcrossSubdomains", "DomainOrSubdomainOnly"],
  conversationDisconnectType: ["Send", "ReadOnly"],
  notificationContentType: ["IncludeMessagesContent", "ExcludeMessagesContent"],
  cobrowseChannel: ["Webmessaging", "Voice"],
  pauseCondition: ["Includes", "DoesNotInclude", "StartsWith", "EndsWith", "Equals"],
  pageviewConfig: ["Auto", "Once", "Off"],
  videoBackground: ["BLUR", "NONE", "IMAGE"],
  supportCenterMessageType: ["Welcome", "Fallback"],
  supportCenterRouterType: ["Hash", "Browser"],
  supportCenterScreenType: ["Home", "Category", "SearchResults", "Article"],
  supportCenterModuleType: ["Search", "Categories", "FAQ", "Contact", "Results", "Article", "TopViewedArticles"],
  pushProvider: ["APNS", "FCM"],
  /** Every status a configuration or deployment reports. */
  status: ["Pending", "Active", "Inactive", "Error", "Deleting"],
} as const;

/** Fields the API owns on a configuration version; an input that sets them was copied from a GET. */
export const CONFIGURATION_SERVER_FIELDS = [
  "id",
  "version",
  "status",
  "dateCreated",
  "dateModified",
  "datePublished",
  "createdUser",
  "publishedUser",
  "lastModifiedUser",
  "selfUri",
] as const;

/** Fields the API owns on a deployment. */
export const DEPLOYMENT_SERVER_FIELDS = ["id", "status", "snippet", "dateCreated", "dateModified", "lastModifiedUser", "selfUri"] as const;
