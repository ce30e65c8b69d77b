/**
 * What the Pulumi engine is told when an operation fails: the runtime's engine-facing methods (the
 * ones the dynamic providers delegate to) scrub every error of the stack's secrets, in its message,
 * its stack and its causes, whichever layer made it. The API here is a stand-in that echoes the
 * secrets back in its error answers, the worst case of a server quoting what it was sent.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import runtime from "../../provider/runtime";

const clientSecret = "engine-client-secret-91f3c2";
const webhookSecret = "engine-webhook-secret-4be7a0";
const signatureKey = "engine-signature-key-22d9e1";

let api: http.Server;
let apiUrl: string;
let auditDir: string;

beforeAll(async () => {
  api = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("Content-Type", "application/json");
      if (req.url?.startsWith("/oauth/token")) {
        res.end(JSON.stringify({ access_token: "tok-engine", expires_in: 3600 }));
        return;
      }
      res.statusCode = 400;
      res.end(JSON.stringify({ code: "bad.request", message: `rejected: ${clientSecret} / ${webhookSecret} / ${signatureKey}` }));
    });
  });
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  auditDir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-engine-errors-"));
  const config: Record<string, string> = {
    "genesys:apiUrl": apiUrl,
    "genesys:clientId": "engine-client",
    "genesys:clientSecret": clientSecret,
    "genesys:webhookSecret": webhookSecret,
    "genesys:signatureKey": signatureKey,
    "genesys:auditDir": auditDir,
    "genesys:useEnvironment": "false",
  };
  runtime.configure({ get: (key) => config[key] });
});
afterAll(async () => {
  await new Promise<void>((resolve) => api.close(() => resolve()));
  fs.rmSync(auditDir, { recursive: true, force: true });
});

/** Everything of an error the engine or its logs can show: message, stack, and the same of each cause. */
function engineText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    parts.push(String(e), e.message, e.stack ?? "");
  }
  return parts.join("\n");
}

describe("errors on their way to the engine", () => {
  it("carry none of the stack's secrets when the API quotes them, and keep their status and cause chain", async () => {
    const err = (await runtime.channel
      .read("b-1", { name: "support" })
      .then(() => undefined)
      .catch((e: unknown) => e)) as Error & { status?: number; code?: string };
    expect(err).toBeInstanceOf(Error);
    const text = engineText(err);
    expect(text).toContain("rejected: [REDACTED] / [REDACTED] / [REDACTED]");
    expect(text).not.toContain(clientSecret);
    expect(text).not.toContain(webhookSecret);
    expect(text).not.toContain(signatureKey);
    expect(err.status).toBe(400);
    expect(err.code).toBe("bad.request");
  });

  it("scrub the engine-facing methods of every resource kind", async () => {
    const failures = await Promise.all([
      runtime.webhook.read("w-1", { name: "lb" }).catch((e: unknown) => e),
      runtime.webDeploymentConfiguration.read("c-1", { name: "cfg" }).catch((e: unknown) => e),
      runtime.webDeployment.read("d-1", { name: "dep" }).catch((e: unknown) => e),
    ]);
    expect(failures.map((e) => e instanceof Error)).toEqual([true, true, true]);
    const text = failures.map(engineText).join("\n");
    expect(text).toContain("[REDACTED]");
    expect(text).not.toContain(clientSecret);
    expect(text).not.toContain(webhookSecret);
    expect(text).not.toContain(signatureKey);
  });
});
