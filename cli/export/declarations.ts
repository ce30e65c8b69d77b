/**
 * What the plugin programs (YAML, Go) declare for an exported org, in which order and with which
 * comments: one place, so the languages differ only in how they spell a value and a reference.
 */
import type { Org } from "./model";
import { byNameThenId, type Naming } from "./names";
import { namesOf } from "./render";

type PluginResource = "WebDeploymentConfiguration" | "WebDeployment" | "WebMessagingChannel" | "LoadBalancerWebhook";

export interface Declaration {
  naming: Naming;
  resource: PluginResource;
  args: Record<string, unknown>;
  comment?: string[];
}

/** How one language spells what refers to another resource. */
export interface Spelling {
  /** A deployment's `configuration`: the configuration's own outputs, or a pinned older version. */
  configuration(configurationVariable: string, pinnedVersion: string | undefined): unknown;
  /** A webhook's `brandId`: the channel's output. */
  brandId(channelVariable: string): unknown;
  /** An input's name as the language writes it (a comment names it). */
  field(name: string): string;
}

export function declarationsOf(org: Org, spell: Spelling): Declaration[] {
  const names = namesOf(org);
  const configurations = new Map(org.configurations.map((c) => [c.id, c]));
  const out: Declaration[] = [];
  for (const c of byNameThenId(org.configurations)) {
    out.push({
      naming: names.configurations.get(c.id)!,
      resource: "WebDeploymentConfiguration",
      args: { ...c.document, adoptExistingId: c.id, ...(c.draftAhead ? { keepUnpublishedDraft: true } : {}) },
      comment: c.draftAhead
        ? [
            `"${c.name}" has draft edits that are not published. ${spell.field("keepUnpublishedDraft")} adopts its published version ${c.version}`,
            "(declared below) and leaves the draft as it is: nothing publishes or overwrites it until you edit this declaration.",
          ]
        : undefined,
    });
  }
  for (const d of byNameThenId(org.deployments)) {
    const cfg = configurations.get(d.configuration.id)!;
    const follows = d.configuration.version === cfg.version;
    const { id: _id, configuration: _c, ...rest } = d;
    out.push({
      naming: names.deployments.get(d.id)!,
      resource: "WebDeployment",
      args: {
        ...rest,
        configuration: spell.configuration(names.configurations.get(cfg.id)!.variable, follows ? undefined : d.configuration.version),
        adoptExistingId: d.id,
      },
      comment: follows
        ? undefined
        : [
            `Serves version ${d.configuration.version} of "${cfg.name}", not its latest (${cfg.version}): pinned so adoption changes nothing.`,
          ],
    });
  }
  for (const ch of byNameThenId(org.channels)) {
    out.push({ naming: names.channels.get(ch.id)!, resource: "WebMessagingChannel", args: { ...ch.spec, adoptExistingId: ch.id } });
  }
  for (const w of byNameThenId(org.webhooks)) {
    const { id: _id, brandId, hasSecret, name, ...rest } = w;
    out.push({
      naming: names.webhooks.get(w.id)!,
      resource: "LoadBalancerWebhook",
      args: { name, brandId: spell.brandId(names.channels.get(brandId)!.variable), ...rest, adoptExistingId: w.id },
      // Its secret is write-only: never exported, and never compared on adoption (see the README).
      comment: hasSecret ? ["Signed: its secret comes from genesys:webhookSecret (see the README)."] : undefined,
    });
  }
  return out;
}
