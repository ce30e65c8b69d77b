/**
 * The lookup by name of the APIs that filter on it server-side (`?name=`, brands and webhooks):
 * names are unique there, so the first page holds the object if it exists. The exact match is
 * still checked, since the filter may match more loosely than equality.
 */
import type { CallTrace, Transport } from "./transport";

export async function findByNameFilter<T extends { name: string }>(
  transport: Transport,
  what: string,
  path: string,
  name: string,
  trace?: CallTrace,
): Promise<T | undefined> {
  const res = await transport.request<{ entities: T[] }>({
    operation: `look up ${what} "${name}" by name`,
    method: "GET",
    path,
    query: { name, pageSize: 25, pageNumber: 1 },
    trace,
  });
  return res.data.entities.find((entity) => entity.name === name);
}
