/**
 * What Pulumi stores as `__provider` in every resource, produced by Pulumi's own closure serializer
 * from the build (dist/), the way a dynamic resource's constructor does.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../../scripts/pulumi-env";
import { writeSelfLink } from "../../../scripts/self-link";
// Typed from the sources, loaded from the build. A namespace import, not `typeof import()`, which
// knip (npm run unused) would not count as a use of the module's exports.
import type * as LoaderModule from "../../../provider/resources/loader";

type Loader = typeof LoaderModule;
const fromRepo = createRequire(path.join(repoRoot(), "package.json"));
const loader = (): Loader => fromRepo("./dist/provider/resources/loader.js") as Loader;
// The dynamic provider evaluates the stored text with this package, resolving requires from its cwd.
const requireFromString = fromRepo("require-from-string") as (code: string) => { handler: () => pulumi.dynamic.ResourceProvider };

const serialized = async (provider: pulumi.dynamic.ResourceProvider) =>
  (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;

const channel = {
  name: "Support",
  description: "",
  endpointUrl: "wss://chat.example.com/ws",
  allowedOrigins: ["https://www.example.com"],
  channelTypes: ["webmessaging"],
  settings: { maxConcurrentSessions: 100, rateLimitThreshold: 50, tlsCertificateChain: [], healthCheckInterval: 300 },
};

describe("serialized provider", () => {
  beforeAll(() => {
    if (!fs.existsSync(path.join(repoRoot(), "dist", "provider", "resources", "channel", "provider.js")))
      throw new Error("build first: npm run build");
    writeSelfLink();
  });

  it("is one require of the package's export, a few hundred bytes, when loaded through node_modules", async () => {
    for (const kind of ["channel", "webhook"] as const) {
      const provider = loader().providerByPackageName(kind, repoRoot());
      expect(provider, kind).toBeDefined();
      const text = await serialized(provider!);
      expect(text).toContain(`require("genesys-webmessaging-pulumi/providers/${kind}")`);
      expect(text).not.toContain(repoRoot());
      expect(text.length).toBeLessThan(400);
    }
  });

  it("evaluated the way the dynamic provider does, reaches the installed runtime", async () => {
    const text = await serialized(loader().providerByPackageName("channel", repoRoot())!);
    const provider = requireFromString(text).handler();
    const diff = await provider.diff!("b1", channel, { ...channel, channelTypes: ["webchat"] });
    expect(diff).toMatchObject({ changes: true, replaces: ["channelTypes"], deleteBeforeReplace: true });
  });

  it("falls back to the inline provider, which loads the runtime by this build's path, outside node_modules", async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-noproject-"));
    try {
      expect(loader().providerByPackageName("channel", elsewhere)).toBeUndefined();
      const text = await serialized(loader().makeInlineProvider("channel"));
      expect(text).toContain(path.join(repoRoot(), "dist", "provider", "runtime"));
      const provider = requireFromString(text).handler();
      const diff = await provider.diff!("b1", channel, { ...channel, description: "changed" });
      expect(diff).toMatchObject({ changes: true, replaces: [] });
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
