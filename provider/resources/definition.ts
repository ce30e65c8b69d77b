/**
 * What one resource is, written once in its folder (provider/resources/<kind>/definition.ts): its
 * names, its zod schemas (the single source of its inputs, outputs, Args types, package schema and
 * reference page) and its lifecycle. The dynamic provider (provider/runtime), the provider plugin
 * (provider/plugin) and the Pulumi class (resource-class.ts) are all built from these.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { CheckFailure, RuntimeContext } from "../runtime/context";

export type Props = Record<string, unknown>;

interface DiffResult {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace?: boolean;
  diffs?: string[];
}

/**
 * A resource's lifecycle: the methods of Pulumi's dynamic ResourceProvider, each that calls the API
 * given the context it runs in (the dynamic provider's one per process, or a plugin instance's own).
 */
export interface Lifecycle {
  check(ctx: RuntimeContext, olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }>;
  /** No context: a diff compares documents, calls nothing and must work before any configuration. */
  diff(id: string, olds: Props, news: Props): DiffResult | Promise<DiffResult>;
  create(ctx: RuntimeContext, inputs: Props): Promise<{ id: string; outs: object }>;
  read(ctx: RuntimeContext, id: string, props: Props): Promise<{ id: string; props?: object; inputs?: object }>;
  update(ctx: RuntimeContext, id: string, olds: Props, news: Props): Promise<{ outs: object }>;
  delete(ctx: RuntimeContext, id: string, props: Props): Promise<void>;
}

export interface ResourceDefinition<
  Kind extends string = string,
  Name extends string = string,
  Inputs extends z.ZodObject = z.ZodObject,
  Extra extends z.ZodRawShape = z.ZodRawShape,
  Outputs extends z.ZodRawShape = z.ZodRawShape,
> {
  /** The state's name for it: `require("genesys-webmessaging-pulumi/providers/<kind>")`, the runtime's export. */
  kind: Kind;
  /** The class, the dynamic resource type (`genesys:<name>`), the plugin token (`genesys:index:<name>`), the audit resourceType. */
  name: Name;
  description: string;
  /** The object's definition as the API holds it: what check validates. */
  inputs: Inputs;
  /** Inputs beyond the object's definition, which steer the provider (adoptExistingId). */
  extraInputs: Extra;
  /** What create and read add to the inputs. */
  outputs: Outputs;
  lifecycle: Lifecycle;
}

/** Keeps the literal kind and name, so the runtime's exports and the plugin's tokens are typed. */
export function defineResource<
  const Kind extends string,
  const Name extends string,
  Inputs extends z.ZodObject,
  Extra extends z.ZodRawShape,
  Outputs extends z.ZodRawShape,
>(definition: ResourceDefinition<Kind, Name, Inputs, Extra, Outputs>): ResourceDefinition<Kind, Name, Inputs, Extra, Outputs> {
  return definition;
}

/** The steering input every resource takes. */
export const adoptExistingId = z
  .string()
  .optional()
  .describe("Take over an existing object by id instead of creating one (`pulumi import` does the same for a whole resource).");

/** A value as a Pulumi program may pass it: plain, a promise or another resource's output, at every depth. */
export type Inputs<T> = T extends string | number | boolean | null | undefined
  ? pulumi.Input<T>
  : T extends readonly (infer U)[]
    ? pulumi.Input<Inputs<U>[]>
    : pulumi.Input<{ [K in keyof T]: Inputs<T[K]> }>;

type InputShape<D extends ResourceDefinition> = z.input<D["inputs"]> & z.input<z.ZodObject<D["extraInputs"]>>;
type OutputShape<D extends ResourceDefinition> = z.output<D["inputs"]> &
  z.output<z.ZodObject<D["extraInputs"]>> &
  z.output<z.ZodObject<D["outputs"]>>;

/** An object's fields as a program passes them (the object itself plain, each field an Input). */
export type InputFields<T> = { [K in keyof T]: Inputs<T[K]> };

/** A resource class's arguments, derived from its input schema. */
export type ArgsOf<D extends ResourceDefinition> = InputFields<InputShape<D>>;

/** A resource's output properties: its inputs as stored, and what create adds. */
export type OutputsOf<D extends ResourceDefinition> = { readonly [K in keyof OutputShape<D>]-?: pulumi.Output<OutputShape<D>[K]> };
