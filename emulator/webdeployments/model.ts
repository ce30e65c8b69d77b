import type { BrokenKind } from "./contract";

type Json = Record<string, unknown>;

/** What a client wrote into a configuration version: the CONFIGURATION_FIELDS it sent, validated. */
export type ConfigurationContent = Json & { name: string };

/** A stored configuration: its draft and the lifecycle instants that decide its status. */
export interface ConfigurationRecord {
  seq: number;
  id: string;
  draft: ConfigurationContent;
  dateCreated: string;
  draftModified: string;
  /** Epoch ms at which the draft stops reporting Pending. */
  draftReadyAt: number;
  /** Epoch ms at which a deleted configuration is gone; undefined while not deleted. */
  goneAt?: number;
}

export interface PublishedVersion {
  number: number;
  content: ConfigurationContent;
  dateCreated: string;
  dateModified: string;
  datePublished: string;
}

/** What a client wrote into a deployment, validated and normalised. */
export interface DeploymentContent {
  name: string;
  description?: string;
  allowAllDomains: boolean;
  allowedDomains: string[];
  supportedContent?: { id: string };
  flow?: { id: string };
  pushIntegrations?: { id: string; provider: string }[];
  configuration: { id: string; version: string };
}

export interface DeploymentRecord {
  seq: number;
  id: string;
  content: DeploymentContent;
  snippet: string;
  dateCreated: string;
  dateModified: string;
  /** Epoch ms at which a created or updated deployment leaves Pending. */
  activeAt: number;
  goneAt?: number;
}

export interface BrokenMark {
  kind: BrokenKind;
  id: string;
  reason: string;
}

export interface CursorQuery {
  limit: number;
  /** Only rows with seq > after (forward) or seq < before (backward). */
  after?: number;
  before?: number;
}

export interface CursorPage<T> {
  items: T[];
  total: number;
  hasMoreAfter: boolean;
  hasMoreBefore: boolean;
}
