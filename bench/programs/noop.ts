/**
 * The preview benchmark's floor: the same declarations as WebMessagingChannels, as dynamic
 * resources whose provider does nothing. What a preview of this stack costs is the engine's own
 * price for N dynamic resources; anything the channel stack costs above it is ours.
 */
import * as pulumi from "@pulumi/pulumi";
import { readDeclarationsFile } from "../../stacks/program";

const noop: pulumi.dynamic.ResourceProvider = {
  async check(_olds: any, news: any) {
    return { inputs: news };
  },
  async diff() {
    return { changes: false };
  },
  async create(inputs: any) {
    return { id: String(inputs.name), outs: inputs };
  },
};

class Noop extends pulumi.dynamic.Resource {
  constructor(name: string, args: Record<string, unknown>) {
    super(noop, name, args, undefined, "bench", "Noop");
  }
}

const file = new pulumi.Config().require("channelsFile");
for (const { resourceName, ...args } of readDeclarationsFile(file)) new Noop(resourceName, args as Record<string, unknown>);
