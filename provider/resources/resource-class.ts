/**
 * The one place that makes a resource's Pulumi class: a dynamic resource whose provider is the small
 * object Pulumi stores in the state (loader.ts), given the inputs and each output set to undefined so
 * the engine reports them.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ArgsOf, OutputsOf, ResourceDefinition } from "./definition";
import { makeProvider } from "./loader";

export interface ResourceClass<D extends ResourceDefinition> {
  new (name: string, args: ArgsOf<D>, opts?: pulumi.CustomResourceOptions): pulumi.dynamic.Resource & OutputsOf<D>;
}

export function resourceClass<D extends ResourceDefinition>(definition: D): ResourceClass<D> {
  const provider = makeProvider(definition.kind);
  const unset = Object.fromEntries(Object.keys(definition.outputs).map((key) => [key, undefined]));
  class Resource extends pulumi.dynamic.Resource {
    constructor(name: string, args: ArgsOf<D>, opts?: pulumi.CustomResourceOptions) {
      super(provider, name, { ...args, ...unset }, opts, "genesys", definition.name);
    }
  }
  // pulumi.Resource's constructor makes one Output property per prop at run time, which no class
  // declaration can spell for a generic D: this is where the instances get their OutputsOf<D>.
  return Resource as unknown as ResourceClass<D>;
}
