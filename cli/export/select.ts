/**
 * --include / --exclude on object names, and what they imply for references: an object kept while
 * the object it refers to is filtered out is an error naming both (the program could only copy its
 * id); an object whose referent was never exported for another reason is skipped, with that reason.
 */
import type { Org, Skipped } from "./model";

export interface Filters {
  include?: RegExp;
  exclude?: RegExp;
}

export class FilterError extends Error {
  readonly name = "FilterError";
}

function keeps(filters: Filters, name: string): boolean {
  if (filters.include && !filters.include.test(name)) return false;
  if (filters.exclude && filters.exclude.test(name)) return false;
  return true;
}

function filteredOut(filters: Filters, name: string): string {
  return filters.include && !filters.include.test(name)
    ? `does not match --include ${filters.include.source}`
    : `matches --exclude ${filters.exclude?.source}`;
}

export function select(org: Org, filters: Filters): Org {
  const skipped: Skipped[] = [...org.skipped];
  const drop = <T extends { id: string; name: string }>(kind: Skipped["kind"], items: T[]): T[] =>
    items.filter((item) => {
      if (keeps(filters, item.name)) return true;
      skipped.push({ kind, name: item.name, id: item.id, reason: `filtered out (${filteredOut(filters, item.name)})` });
      return false;
    });

  const configurations = drop("configuration", org.configurations);
  const channels = drop("channel", org.channels);
  const keptConfigurations = new Set(configurations.map((c) => c.id));
  const keptChannels = new Set(channels.map((c) => c.id));
  const problems: string[] = [];

  const deployments = drop("deployment", org.deployments).filter((d) => {
    if (keptConfigurations.has(d.configuration.id)) return true;
    const cfg = org.configurations.find((c) => c.id === d.configuration.id);
    if (cfg) {
      problems.push(
        `web deployment "${d.name}" is kept but its configuration "${cfg.name}" is filtered out (${filteredOut(filters, cfg.name)}): ` +
          `keep both, or filter out both`,
      );
      return false;
    }
    const why = org.skipped.find((s) => s.id === d.configuration.id);
    skipped.push({
      kind: "deployment",
      name: d.name,
      id: d.id,
      reason: `its configuration ${why ? `"${why.name}" was not exported (${why.reason})` : `${d.configuration.id} was not found in the org`}`,
    });
    return false;
  });

  const webhooks = drop("webhook", org.webhooks).filter((w) => {
    if (keptChannels.has(w.brandId)) return true;
    const channel = org.channels.find((c) => c.id === w.brandId);
    if (channel) {
      problems.push(
        `webhook "${w.name}" is kept but its channel "${channel.name}" is filtered out (${filteredOut(filters, channel.name)}): ` +
          `keep both, or filter out both`,
      );
      return false;
    }
    skipped.push({ kind: "webhook", name: w.name, id: w.id, reason: `its channel ${w.brandId} was not found in the org` });
    return false;
  });

  if (problems.length > 0) throw new FilterError(problems.join("\n"));
  return { configurations, deployments, channels, webhooks, skipped };
}
