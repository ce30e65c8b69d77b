/**
 * When an object that already exists in Genesys becomes a resource's own, and when it never does.
 * One policy for every resource, so that the four lifecycles only say what differs between them
 * (how to compare, how to write):
 *
 *   ours      the POST answered; or its outcome was unknown and the lookup by name that follows it
 *             (genesys/unique-create.ts) found the object; or the POST was refused with 409 (the
 *             name is taken) and the holder of the name matches the declaration. The last two are
 *             the resource's own earlier create whose answer never reached the state (a lost
 *             response, a CLI killed mid-create), so `refresh --clear-pending-creates` + `up` converge.
 *   adopted   the declaration names it (adoptExistingId): read, refused when a field that cannot
 *             change differs, written only when it differs.
 *   refused   a holder of the name that differs is someone else's and is never touched; the error
 *             names the differing fields and the way out.
 *
 * And the two rules around them: a write is sent only when the live object differs (an identical
 * write bumps the version and fires a `...updated` event for nothing), and a version conflict
 * re-reads and retries once; a create that fails after making something deletes it again, keeping
 * the original error as the cause (status, code, correlation id), and a failed cleanup is added to
 * that error, never put in its place.
 */
import { GenesysApiError } from "../genesys";
import { AuditedError } from "./context";

// Lifecycles name what differs through the one comparison (compare.ts).
export { differingFields } from "./compare";

/** The object a policy decision is about, as its messages name it. */
export interface Subject {
  /** "channel", "webhook", "web deployment configuration", "web deployment". */
  kind: string;
  name: string;
  /** Whether the resource takes `adoptExistingId` (the way out a refusal suggests). */
  adoptable: boolean;
}

export interface CreateSteps<L> {
  /** The POST, through the API layer's lookup by name after an unknown outcome. */
  post: () => Promise<{ created: L; recovered: boolean }>;
  /**
   * Who holds the name, where the API refuses a taken name with 409. Absent where a 409 means
   * something else (web deployments: "changed or in use").
   */
  holderOfName?: () => Promise<L | undefined>;
  idOf: (live: L) => string;
  /** The fields in which a live object differs from the declaration; none means it is ours. */
  differences: (live: L) => string[] | Promise<string[]>;
}

/** A holder of the name that is not the declared object. */
export class NameTakenError extends Error {
  readonly name = "NameTakenError";
  constructor(
    readonly subject: Subject,
    readonly existingId: string,
    readonly fields: string[],
    options?: { cause?: unknown },
  ) {
    super(
      `a ${subject.kind} named "${subject.name}" already exists (${existingId}) and differs from this definition in ` +
        `${fields.join(", ")}; choose another name, or ` +
        (subject.adoptable ? `adopt it with adoptExistingId: "${existingId}"` : `delete ${subject.kind} ${existingId} first`),
      options,
    );
  }
}

/**
 * POSTs the object; a recovered or name-holding object is returned only when it is ours (see the
 * header). `recovered` tells the caller it did not make the object in this call.
 */
export async function createOrRecover<L>(subject: Subject, steps: CreateSteps<L>): Promise<{ live: L; recovered: boolean }> {
  let existing: L;
  let refusal: unknown;
  try {
    const { created, recovered } = await steps.post();
    if (!recovered) return { live: created, recovered: false };
    existing = created;
  } catch (err) {
    if (!steps.holderOfName || !(err instanceof GenesysApiError) || err.status !== 409) throw err;
    const holder = await steps.holderOfName();
    if (holder === undefined) throw err;
    existing = holder;
    refusal = err;
  }
  const fields = await steps.differences(existing);
  if (fields.length > 0) throw new NameTakenError(subject, steps.idOf(existing), fields, refusal ? { cause: refusal } : undefined);
  return { live: existing, recovered: true };
}

export interface WriteSteps<L> {
  differs: (live: L) => boolean;
  write: (live: L) => Promise<unknown>;
  /** Reads the live object again after a version conflict; undefined when it is gone. */
  reread?: () => Promise<L | undefined>;
  /** Set where writes carry the version they replace. */
  isVersionConflict?: (err: unknown) => boolean;
  /** The error when the object is gone by the time it is read again. */
  gone: () => Error;
}

/** Sends the declaration only when `live` differs from it. Returns whether it wrote. */
export async function writeUnlessSame<L>(live: L, steps: WriteSteps<L>): Promise<boolean> {
  let current = live;
  for (let round = 1; ; round++) {
    if (!steps.differs(current)) return false;
    try {
      await steps.write(current);
      return true;
    } catch (err) {
      // Someone changed it in between: their version is read, and ours written over it once.
      if (round >= 2 || !steps.reread || !steps.isVersionConflict?.(err)) throw err;
    }
    const again = await steps.reread();
    if (again === undefined) throw steps.gone();
    current = again;
  }
}

export interface AdoptSteps<L> extends Omit<WriteSteps<L>, "gone"> {
  read: () => Promise<L | undefined>;
  /** A field that cannot change after creation and differs: the message that says so. */
  immutable?: (live: L) => string | undefined;
}

/** Takes over the object named by adoptExistingId and converges it to the declaration. */
export async function adoptExisting<L>(subject: { kind: string; id: string }, steps: AdoptSteps<L>): Promise<{ live: L; wrote: boolean }> {
  const live = await steps.read();
  if (live === undefined) {
    throw new Error(
      `adoptExistingId: ${subject.kind} ${subject.id} does not exist; remove adoptExistingId to create a new ${subject.kind}`,
    );
  }
  const fixed = steps.immutable?.(live);
  if (fixed) throw new Error(`adoptExistingId: ${subject.kind} ${subject.id} ${fixed}`);
  const gone = () => new Error(`adoptExistingId: ${subject.kind} ${subject.id} was deleted while it was being adopted`);
  return { live, wrote: await writeUnlessSame(live, { ...steps, gone }) };
}

/**
 * Deletes again what a failed create made (the engine records nothing for a failed create, so
 * anything left would be an orphan) and throws the error to report. The original error stays the
 * cause; a failed cleanup is added as a second sentence and as `cleanupError`.
 */
export async function undoCreate(subject: Subject & { id: string }, original: unknown, remove: () => Promise<unknown>): Promise<never> {
  try {
    await remove();
  } catch (cleanupError) {
    const wayOut = subject.adoptable ? `, or adopt it with adoptExistingId: "${subject.id}"` : "";
    throw new UndoneCreateError(
      `${describe(original)}; the ${subject.kind} could not be deleted again (${describe(cleanupError)}): ` +
        `delete ${subject.kind} ${subject.id} by hand${wayOut}`,
      subject.id,
      original,
      cleanupError,
    );
  }
  throw new UndoneCreateError(
    `${describe(original)}; the ${subject.kind} was deleted again so nothing is left half-made`,
    subject.id,
    original,
  );
}

/** The error of a create that was undone; its audit record names the object made and removed. */
export class UndoneCreateError extends AuditedError {
  constructor(
    message: string,
    targetId: string,
    cause: unknown,
    /** Set when the object could not be deleted again: it still exists. */
    readonly cleanupError?: unknown,
  ) {
    super(message, { targetId }, { cause });
    this.name = "UndoneCreateError";
  }
}

/** An error's message with the Genesys correlation id, which support needs, always in it. */
export function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof GenesysApiError && err.correlationId && !message.includes(err.correlationId)) {
    return `${message} (correlation id ${err.correlationId})`;
  }
  return message;
}
