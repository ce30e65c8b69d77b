/**
 * Creating an object whose name is unique (a brand, a webhook) when a POST may be applied without
 * its answer arriving. After every unknown outcome the name is looked up before anything is sent
 * again, the last attempt included: a POST that committed on its final try is found and returned as
 * recovered, never reported as a failure that leaves an orphan behind. Whether a recovered object
 * is really the caller's own is the runtime's decision (runtime/create-or-adopt.ts).
 */
import { GenesysApiError } from "./errors";

/** POST rounds per create; each is preceded by a lookup, so none can duplicate. */
const CREATE_ROUNDS = 5;

export async function createByUniqueName<T>(
  post: () => Promise<T>,
  findByName: () => Promise<T | undefined>,
): Promise<{ created: T; recovered: boolean }> {
  for (let round = 1; ; round++) {
    try {
      return { created: await post(), recovered: false };
    } catch (err) {
      if (!(err instanceof GenesysApiError) || !err.details.outcomeUnknown) throw err;
      const existing = await findByName();
      if (existing) return { created: existing, recovered: true };
      if (round >= CREATE_ROUNDS) throw err;
    }
  }
}
