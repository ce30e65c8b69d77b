/** Inputs that steer the provider but are not part of the document sent to the API. */
export function splitInputs(raw: Record<string, unknown>): { definition: Record<string, unknown>; adoptExistingId?: string } {
  const definition: Record<string, unknown> = {};
  let adoptExistingId: string | undefined;
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith("__")) continue; // engine-owned (__provider)
    if (key === "adoptExistingId") {
      if (typeof value === "string" && value !== "") adoptExistingId = value;
      continue;
    }
    definition[key] = value;
  }
  return { definition, adoptExistingId };
}
