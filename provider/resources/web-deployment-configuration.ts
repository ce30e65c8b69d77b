import * as pulumi from "@pulumi/pulumi";
import { makeProvider } from "./loader";

/*
 * The Args mirror the API's WebDeploymentConfigurationVersion model (the JS SDK's names and
 * nesting), so a document copied from the API or the SDK's docs reads the same here. docs/resources.md
 * maps every attribute of Terraform's genesyscloud_webdeployments_configuration onto these.
 */

type In<T> = pulumi.Input<T>;
type List<T> = pulumi.Input<pulumi.Input<T>[]>;

interface EnabledArgs {
  enabled?: In<boolean>;
}
interface EntityRefArgs {
  id: In<string>;
}
interface ImageArgs {
  source?: In<{ defaultUrl?: In<string> }>;
}

interface LocalizedLabelArgs {
  key: In<
    | "MessengerHomeHeaderTitle"
    | "MessengerHomeHeaderSubTitle"
    | "PushNotificationTitle"
    | "PushNotificationBody"
    | "MessengerLauncherButtonText"
  >;
  value: In<string>;
}
export interface CustomI18nLabelsArgs {
  /** One of `languages`. */
  language: In<string>;
  localizedLabels?: List<LocalizedLabelArgs>;
}

export interface ConversationsAppArgs {
  enabled?: In<boolean>;
  showAgentTypingIndicator?: In<boolean>;
  showUserTypingIndicator?: In<boolean>;
  autoStart?: In<EnabledArgs>;
  markdown?: In<EnabledArgs>;
  conversationDisconnect?: In<{ enabled?: In<boolean>; type?: In<"Send" | "ReadOnly"> }>;
  conversationClear?: In<EnabledArgs>;
  humanize?: In<{ enabled?: In<boolean>; bot?: In<{ name?: In<string>; avatarUrl?: In<string> }> }>;
  notifications?: In<{ enabled?: In<boolean>; notificationContentType?: In<"IncludeMessagesContent" | "ExcludeMessagesContent"> }>;
  sessionDurationSeconds?: In<number>;
}

export interface MessengerArgs {
  enabled?: In<boolean>;
  /** primaryColor: a hex colour such as "#FF4F1F". */
  styles?: In<{ primaryColor?: In<string> }>;
  launcherButton?: In<{
    visibility?: In<"On" | "Off" | "OnDemand">;
    displayType?: In<"Icon" | "Text" | "IconAndText">;
    icon?: In<{ url?: In<string> }>;
  }>;
  fileUpload?: In<{
    enableAttachments?: In<boolean>;
    /** maxFileSizeKB: 1..10240. */
    modes?: List<{ fileTypes?: List<"image/jpeg" | "image/gif" | "image/png">; maxFileSizeKB?: In<number> }>;
  }>;
  apps?: In<{ conversations?: In<ConversationsAppArgs>; knowledge?: In<{ enabled?: In<boolean>; knowledgeBase?: In<EntityRefArgs> }> }>;
  homeScreen?: In<{ enabled?: In<boolean>; logoUrl?: In<string> }>;
  sessionPersistenceType?: In<"AcrossSubdomains" | "DomainOrSubdomainOnly">;
}

export interface SupportCenterArgs {
  enabled?: In<boolean>;
  knowledgeBase?: In<EntityRefArgs>;
  customMessages?: List<{ defaultValue: In<string>; type: In<"Welcome" | "Fallback"> }>;
  routerType?: In<"Hash" | "Browser">;
  screens?: List<{
    type: In<"Home" | "Category" | "SearchResults" | "Article">;
    moduleSettings: List<{
      type: In<"Search" | "Categories" | "FAQ" | "Contact" | "Results" | "Article" | "TopViewedArticles">;
      enabled: In<boolean>;
      compactCategoryModuleTemplate?: In<{ active?: In<boolean> }>;
      detailedCategoryModuleTemplate?: In<{ active?: In<boolean>; sidebar?: In<EnabledArgs> }>;
    }>;
  }>;
  enabledCategories?: List<{ id: In<string>; image?: In<ImageArgs> }>;
  labelFilter?: In<{ labels: List<EntityRefArgs> }>;
  styleSetting?: In<{
    heroStyle?: In<{ backgroundColor?: In<string>; textColor?: In<string>; image?: In<ImageArgs> }>;
    globalStyle?: In<{
      backgroundColor?: In<string>;
      primaryColor?: In<string>;
      primaryColorDark?: In<string>;
      primaryColorLight?: In<string>;
      textColor?: In<string>;
      fontFamily?: In<string>;
    }>;
  }>;
  feedback?: In<EnabledArgs>;
}

export interface CobrowseArgs {
  enabled?: In<boolean>;
  allowAgentControl?: In<boolean>;
  allowAgentNavigation?: In<boolean>;
  allowDraw?: In<boolean>;
  /** CSS selectors masked while the screen is shared. */
  maskSelectors?: List<string>;
  channels?: List<"Webmessaging" | "Voice">;
  readonlySelectors?: List<string>;
  pauseCriteria?: List<{ urlFragment: In<string>; condition: In<"Includes" | "DoesNotInclude" | "StartsWith" | "EndsWith" | "Equals"> }>;
}

interface SelectorEventArgs {
  selector: In<string>;
  eventName: In<string>;
}

export interface JourneyEventsArgs {
  enabled?: In<boolean>;
  excludedQueryParameters?: List<string>;
  shouldKeepUrlFragment?: In<boolean>;
  searchQueryParameters?: List<string>;
  pageviewConfig?: In<"Auto" | "Once" | "Off">;
  clickEvents?: List<SelectorEventArgs>;
  formsTrackEvents?: List<{
    selector: In<string>;
    formName: In<string>;
    captureDataOnFormAbandon: In<boolean>;
    captureDataOnFormSubmit: In<boolean>;
  }>;
  /** idleAfterSeconds: at least 30. */
  idleEvents?: List<{ eventName: In<string>; idleAfterSeconds?: In<number> }>;
  inViewportEvents?: List<SelectorEventArgs>;
  /** percentage: 0..100. */
  scrollDepthEvents?: List<{ eventName: In<string>; percentage: In<number> }>;
  trackingSettings?: In<{
    excludedQueryParameters?: List<string>;
    shouldKeepUrlFragment?: In<boolean>;
    searchQueryParameters?: List<string>;
    /** Up to 10; ipAddress is an address or CIDR range. */
    ipFilters?: List<{ ipAddress: In<string>; name: In<string> }>;
  }>;
}

export interface VideoArgs {
  enabled?: In<boolean>;
  channels?: List<string>;
  agent?: In<{
    allowCamera?: In<boolean>;
    allowScreenShare?: In<boolean>;
    allowMicrophone?: In<boolean>;
    background?: In<"BLUR" | "NONE" | "IMAGE">;
    backgroundImage?: In<{ url?: In<string> }>;
  }>;
  user?: In<{ allowCamera?: In<boolean>; allowScreenShare?: In<boolean>; allowMicrophone?: In<boolean> }>;
}

export interface WebDeploymentConfigurationArgs {
  /** 1..100 characters. */
  name: In<string>;
  description?: In<string>;
  /** Lower-case language tags ("en-us"); at least one. */
  languages: List<string>;
  /** One of `languages`. */
  defaultLanguage: In<string>;
  headlessMode?: In<EnabledArgs>;
  customI18nLabels?: List<CustomI18nLabelsArgs>;
  messenger?: In<MessengerArgs>;
  position?: In<{ alignment?: In<"Auto" | "Left" | "Right">; sideSpace?: In<number>; bottomSpace?: In<number> }>;
  supportCenter?: In<SupportCenterArgs>;
  cobrowse?: In<CobrowseArgs>;
  journeyEvents?: In<JourneyEventsArgs>;
  authenticationSettings?: In<{ enabled: In<boolean>; integrationId: In<string>; allowSessionUpgrade?: In<boolean> }>;
  video?: In<VideoArgs>;
  /** Take over an existing configuration by id instead of creating one (pulumi import does not work for dynamic resources). */
  adoptExistingId?: In<string>;
  /**
   * Leave a draft that is ahead of the published version as it is (edits saved in the Genesys UI, not
   * published): adoption writes nothing and requires the declaration to equal the latest published
   * version, refresh compares against that version, and the draft is only reported
   * (`unpublishedChanges`). An edit of the declaration is still written into the draft and published.
   */
  keepUnpublishedDraft?: In<boolean>;
}

const provider = makeProvider("webDeploymentConfiguration");

/** A Genesys Cloud web deployment configuration: a draft, published as versions 1, 2, 3, ... */
export class WebDeploymentConfiguration extends pulumi.dynamic.Resource {
  declare readonly configurationId: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  /** The latest published version: pass it to WebDeployment's configuration.version. */
  declare readonly version: pulumi.Output<string>;
  declare readonly status: pulumi.Output<string>;
  /** True when refresh found draft edits that are not published. */
  declare readonly unpublishedChanges: pulumi.Output<boolean>;

  constructor(name: string, args: WebDeploymentConfigurationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      provider,
      name,
      { ...args, configurationId: undefined, version: undefined, status: undefined, unpublishedChanges: undefined },
      opts,
      "genesys",
      "WebDeploymentConfiguration",
    );
  }
}
