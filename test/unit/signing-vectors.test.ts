/**
 * The webhook signature is written three times on purpose (the emulator signs as Genesys does, the
 * provider signs its enrolments, the receiver verifies as a load balancer must): none may depend on
 * another. One file of vectors, computed with openssl, holds all three to the same scheme.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { signDelivery } from "../../emulator/deliveries";
import { startReceiver } from "../../lb-receiver/server";
import { verifyDelivery } from "../../lb-receiver/verify";
import { signEnrolment } from "../../provider/resources/webhook/lb-sync";

interface Vector {
  description: string;
  secret: string;
  timestamp: string;
  body: string;
  signature: string;
}

const { vectors } = JSON.parse(fs.readFileSync(path.join(__dirname, "../fixtures/signing/webhook-signatures.json"), "utf8")) as {
  vectors: Vector[];
};

describe.each(vectors)("signature vector: $description", (v) => {
  it("the emulator signs its deliveries with exactly this signature", () => {
    expect(signDelivery(v.secret, v.timestamp, v.body)).toBe(v.signature);
  });

  it("the provider signs its enrolments with exactly this signature", () => {
    expect(signEnrolment(v.secret, v.timestamp, v.body)).toBe(v.signature);
  });

  it("the receiver accepts this signature and refuses it over a body changed by one byte or another timestamp", () => {
    const nowSeconds = Number(v.timestamp);
    expect(verifyDelivery({ secret: v.secret, rawBody: v.body, timestamp: v.timestamp, signature: v.signature, nowSeconds })).toEqual({
      ok: true,
    });
    const changed = v.body.replace(/.$/, (c) => (c === "}" ? " " : "}"));
    expect(verifyDelivery({ secret: v.secret, rawBody: changed, timestamp: v.timestamp, signature: v.signature, nowSeconds }).ok).toBe(
      false,
    );
    const later = String(nowSeconds + 1);
    expect(verifyDelivery({ secret: v.secret, rawBody: v.body, timestamp: later, signature: v.signature, nowSeconds }).ok).toBe(false);
  });
});

describe("the receiver's HTTP endpoint with the signature vectors", () => {
  it("applies the platform event and then the removal enrolment of the webhook that delivered it", async () => {
    const [platform, enrolment] = vectors;
    let now = Number(platform.timestamp) * 1000;
    const receiver = await startReceiver({ secret: platform.secret, now: () => now });
    try {
      const send = (v: Vector) =>
        fetch(`${receiver.url}/events`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-genesys-timestamp": v.timestamp,
            "x-genesys-signature": v.signature,
            "x-genesys-webhook-id": "c3d4e5f6-0000-4000-8000-000000000001",
          },
          body: v.body,
        }).then(async (r) => [r.status, ((await r.json()) as { status?: string }).status]);
      expect(await send(platform)).toEqual([200, "applied"]);
      expect(receiver.pool().map((m) => [m.name, m.lastSource])).toEqual([["Customer Support", "platform"]]);
      now = Number(enrolment.timestamp) * 1000;
      expect(await send(enrolment)).toEqual([200, "applied"]);
      expect(receiver.pool()).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});
