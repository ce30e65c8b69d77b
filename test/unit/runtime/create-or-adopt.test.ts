/**
 * The create-or-adopt policy on its own: which existing object is a resource's own, which is
 * adopted, which is refused, and how a failed create is undone. The steps are plain functions over
 * an in-memory store of "live" objects, so each rule is seen without a server.
 */
import { describe, expect, it } from "vitest";
import { GenesysApiError } from "../../../provider/genesys";
import {
  NameTakenError,
  UndoneCreateError,
  adoptExisting,
  createOrRecover,
  differingFields,
  undoCreate,
  writeUnlessSame,
} from "../../../provider/runtime/create-or-adopt";

interface Live {
  id: string;
  name: string;
  description: string;
  settings: { limit: number };
  version: number;
}

const declared = { name: "support", description: "chat", settings: { limit: 10 } };
const channel = { kind: "channel", name: "support", adoptable: true };
const liveOf = (patch: Partial<Live> = {}): Live => ({ id: "b-1", ...declared, version: 1, ...patch });
const differences = (live: Live) => differingFields({ name: live.name, description: live.description, settings: live.settings }, declared);

function apiError(status: number | undefined, code: string, opts: { outcomeUnknown?: boolean; correlationId?: string } = {}) {
  return new GenesysApiError(`create channel "support" failed: ${status ?? "no response"} ${code}`, {
    operation: 'create channel "support"',
    method: "POST",
    path: "/api/v2/webchat/brands",
    status,
    code,
    correlationId: opts.correlationId,
    attempts: 1,
    outcomeUnknown: opts.outcomeUnknown,
  });
}

describe("createOrRecover", () => {
  it("takes what the POST answered as its own, without comparing it", async () => {
    let compared = 0;
    const result = await createOrRecover(channel, {
      post: async () => ({ created: liveOf({ description: "whatever the server says" }), recovered: false }),
      idOf: (l) => l.id,
      differences: (l) => (compared++, differences(l)),
    });
    expect(result).toEqual({ live: liveOf({ description: "whatever the server says" }), recovered: false });
    expect(compared).toBe(0);
  });

  it("takes an object found by name after an unknown outcome as its own when it matches the declaration", async () => {
    const result = await createOrRecover(channel, {
      post: async () => ({ created: liveOf(), recovered: true }),
      idOf: (l) => l.id,
      differences,
    });
    expect(result).toEqual({ live: liveOf(), recovered: true });
  });

  it("refuses an object found by name after an unknown outcome that differs, naming each differing field", async () => {
    const err = await createOrRecover(channel, {
      post: async () => ({ created: liveOf({ description: "theirs", settings: { limit: 99 } }), recovered: true }),
      idOf: (l) => l.id,
      differences,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NameTakenError);
    expect((err as NameTakenError).fields).toEqual(["description", "settings.limit"]);
    expect((err as Error).message).toBe(
      'a channel named "support" already exists (b-1) and differs from this definition in description, settings.limit; ' +
        'choose another name, or adopt it with adoptExistingId: "b-1"',
    );
  });

  it("on a 409 for the name, takes the holder as its own when it matches the declaration (a lost create of an earlier run)", async () => {
    const result = await createOrRecover(channel, {
      post: async () => {
        throw apiError(409, "conflict");
      },
      holderOfName: async () => liveOf({ id: "b-earlier" }),
      idOf: (l) => l.id,
      differences,
    });
    expect(result).toEqual({ live: liveOf({ id: "b-earlier" }), recovered: true });
  });

  it("on a 409 for the name, refuses a holder that differs and keeps the 409 as the cause", async () => {
    const conflict = apiError(409, "conflict", { correlationId: "c0ffee00-0000-4000-8000-000000000409" });
    const err = (await createOrRecover(channel, {
      post: async () => {
        throw conflict;
      },
      holderOfName: async () => liveOf({ id: "b-theirs", description: "theirs" }),
      idOf: (l) => l.id,
      differences,
    }).catch((e: unknown) => e)) as NameTakenError;
    expect(err.message).toContain(
      'differs from this definition in description; choose another name, or adopt it with adoptExistingId: "b-theirs"',
    );
    expect(err.cause).toBe(conflict);
    expect((err.cause as GenesysApiError).correlationId).toBe("c0ffee00-0000-4000-8000-000000000409");
  });

  it("rethrows a 409 as it came where a 409 is not about the name, or nobody holds the name", async () => {
    const conflict = apiError(409, "conflict");
    const post = async (): Promise<{ created: Live; recovered: boolean }> => {
      throw conflict;
    };
    await expect(createOrRecover(channel, { post, idOf: (l) => l.id, differences })).rejects.toBe(conflict);
    await expect(createOrRecover(channel, { post, holderOfName: async () => undefined, idOf: (l) => l.id, differences })).rejects.toBe(
      conflict,
    );
  });

  it("never looks up the name after any other failure", async () => {
    const failure = apiError(500, "internal.server.error");
    let lookedUp = false;
    await expect(
      createOrRecover(channel, {
        post: async () => {
          throw failure;
        },
        holderOfName: async () => ((lookedUp = true), liveOf()),
        idOf: (l) => l.id,
        differences,
      }),
    ).rejects.toBe(failure);
    expect(lookedUp).toBe(false);
  });

  it("suggests deleting the holder instead of adoptExistingId for a resource that cannot adopt", async () => {
    const err = (await createOrRecover(
      { kind: "webhook", name: "lb-sync", adoptable: false },
      { post: async () => ({ created: { id: "w-9" }, recovered: true }), idOf: (w) => w.id, differences: () => ["brandId"] },
    ).catch((e: Error) => e)) as Error;
    expect(err.message).toBe(
      'a webhook named "lb-sync" already exists (w-9) and differs from this definition in brandId; choose another name, or delete webhook w-9 first',
    );
  });
});

/** A live object with a version, as an API that refuses stale versions keeps it. */
function versionedStore(initial: Live) {
  const store = { live: { ...initial } as Live | undefined, writes: [] as number[], conflictsLeft: 0 };
  const steps = {
    read: async () => (store.live ? { ...store.live } : undefined),
    reread: async () => (store.live ? { ...store.live } : undefined),
    differs: (l: Live) => differences(l).length > 0,
    write: async (l: Live) => {
      store.writes.push(l.version);
      if (store.conflictsLeft > 0) {
        store.conflictsLeft--;
        store.live = { ...store.live!, version: store.live!.version + 1 };
        throw new GenesysApiError("version mismatch", {
          operation: "update",
          method: "PUT",
          path: "/b",
          status: 409,
          code: "version.mismatch",
          attempts: 1,
        });
      }
      store.live = { ...store.live!, ...declared, version: l.version + 1 };
    },
    isVersionConflict: (err: unknown) => err instanceof GenesysApiError && err.code === "version.mismatch",
  };
  return { store, steps };
}

describe("adoptExisting", () => {
  it("adopts an object that already matches without writing to it", async () => {
    const { store, steps } = versionedStore(liveOf());
    const result = await adoptExisting({ kind: "channel", id: "b-1" }, steps);
    expect(result.wrote).toBe(false);
    expect(store.writes).toEqual([]);
  });

  it("converges an adopted object that differs with one write of the version it replaces", async () => {
    const { store, steps } = versionedStore(liveOf({ description: "made by hand", version: 7 }));
    const result = await adoptExisting({ kind: "channel", id: "b-1" }, steps);
    expect(result.wrote).toBe(true);
    expect(store.writes).toEqual([7]);
    expect(store.live).toMatchObject({ description: "chat", version: 8 });
  });

  it("refuses an id that does not exist, saying how to create instead", async () => {
    const { store, steps } = versionedStore(liveOf());
    store.live = undefined;
    await expect(adoptExisting({ kind: "channel", id: "b-404" }, steps)).rejects.toThrow(
      "adoptExistingId: channel b-404 does not exist; remove adoptExistingId to create a new channel",
    );
  });

  it("refuses, without writing, an object whose field that cannot change differs", async () => {
    const { store, steps } = versionedStore(liveOf({ description: "other" }));
    await expect(
      adoptExisting(
        { kind: "channel", id: "b-1" },
        { ...steps, immutable: () => 'has channelTypes ["webchat"], which cannot change after creation' },
      ),
    ).rejects.toThrow('adoptExistingId: channel b-1 has channelTypes ["webchat"], which cannot change after creation');
    expect(store.writes).toEqual([]);
  });
});

describe("writeUnlessSame", () => {
  const gone = () => new Error("gone");

  it("re-reads after a version conflict and writes once more over the newer version", async () => {
    const { store, steps } = versionedStore(liveOf({ description: "old", version: 3 }));
    store.conflictsLeft = 1;
    expect(await writeUnlessSame((await steps.read())!, { ...steps, gone })).toBe(true);
    expect(store.writes).toEqual([3, 4]);
  });

  it("gives up on the second version conflict with the API's error", async () => {
    const { store, steps } = versionedStore(liveOf({ description: "old" }));
    store.conflictsLeft = 2;
    await expect(writeUnlessSame((await steps.read())!, { ...steps, gone })).rejects.toMatchObject({ code: "version.mismatch" });
    expect(store.writes).toHaveLength(2);
  });

  it("says the object is gone when the re-read after a conflict finds nothing", async () => {
    const { store, steps } = versionedStore(liveOf({ description: "old" }));
    store.conflictsLeft = 1;
    const write = steps.write;
    await expect(
      writeUnlessSame((await steps.read())!, {
        ...steps,
        write: async (l: Live) => {
          try {
            await write(l);
          } finally {
            store.live = undefined;
          }
        },
        gone,
      }),
    ).rejects.toThrow("gone");
  });

  it("never retries a failure that is not a version conflict", async () => {
    const { store, steps } = versionedStore(liveOf({ description: "old" }));
    const refused = new Error("400 bad.request");
    await expect(
      writeUnlessSame((await steps.read())!, {
        ...steps,
        write: async () => {
          store.writes.push(0);
          throw refused;
        },
        gone,
      }),
    ).rejects.toBe(refused);
    expect(store.writes).toEqual([0]);
  });
});

describe("undoCreate", () => {
  const made = { kind: "channel", name: "support", adoptable: true, id: "b-1" };

  it("deletes what the failed create made and says so, keeping the original error as the cause", async () => {
    const original = apiError(500, "internal.server.error", { correlationId: "11111111-2222-4333-8444-555555555555" });
    let deleted = false;
    const err = (await undoCreate(made, original, async () => (deleted = true)).catch((e: unknown) => e)) as UndoneCreateError;
    expect(deleted).toBe(true);
    expect(err.message).toBe(
      `${original.message} (correlation id 11111111-2222-4333-8444-555555555555); the channel was deleted again so nothing is left half-made`,
    );
    expect(err.cause).toBe(original);
    expect(err.audit).toEqual({ targetId: "b-1" });
    expect(err.cleanupError).toBeUndefined();
  });

  it("keeps the original error as the cause when the cleanup fails too, and attaches the cleanup's error", async () => {
    const original = new Error('channel "support" (b-1) did not become healthy within 5 s');
    const cleanup = apiError(503, "service.unavailable");
    const err = (await undoCreate(made, original, async () => {
      throw cleanup;
    }).catch((e: unknown) => e)) as UndoneCreateError;
    expect(err.cause).toBe(original);
    expect(err.cleanupError).toBe(cleanup);
    expect(err.message).toBe(
      `${original.message}; the channel could not be deleted again (${cleanup.message}): ` +
        'delete channel b-1 by hand, or adopt it with adoptExistingId: "b-1"',
    );
    expect(err.audit).toEqual({ targetId: "b-1" });
  });
});

describe("differingFields", () => {
  it("names nested members by path, compares arrays whole, and treats unset and null alike", () => {
    expect(
      differingFields(
        { a: 1, s: { x: [1, 2], y: null, z: "same" }, only: "live" },
        { a: 1, s: { x: [2, 1], z: "same" }, extra: undefined },
      ),
    ).toEqual(["s.x", "only"]);
    expect(differingFields({ k: { b: 1, a: 2 } }, { k: { a: 2, b: 1 } })).toEqual([]);
  });
});
