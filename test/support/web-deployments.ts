/** Shared settings and admin calls for tests of the web deployment resources. */
/** Short but real delays: a deployment is Pending for 0.3 s, a draft for 0.1 s, a delete takes 0.2 s. */
export const WEB_DEPLOYMENT_TIMING = { activationDelayMs: 300, deletionDelayMs: 200, draftSettleMs: 100 };

/** Tells the emulator a deployment, flow or configuration is broken: deployments using it go to Error. */
export async function markBroken(
  emulatorUrl: string,
  adminToken: string,
  kind: "deployment" | "flow" | "configuration",
  id: string,
  reason: string,
) {
  const res = await fetch(`${emulatorUrl}/__admin/webdeployments/broken/${kind}/${encodeURIComponent(id)}`, {
    method: "PUT",
    headers: { "x-emulator-admin-token": adminToken, "content-type": "application/json" },
    body: JSON.stringify({ reason }),
  });
  if (!res.ok) throw new Error(`admin mark broken: ${res.status} ${await res.text()}`);
}

/** Sets the emulator's web deployment delays (only those given); they apply to what is written from then on. */
export async function setTiming(emulatorUrl: string, adminToken: string, timing: Partial<typeof WEB_DEPLOYMENT_TIMING>) {
  const res = await fetch(`${emulatorUrl}/__admin/webdeployments/timing`, {
    method: "PUT",
    headers: { "x-emulator-admin-token": adminToken, "content-type": "application/json" },
    body: JSON.stringify(timing),
  });
  if (!res.ok) throw new Error(`admin timing: ${res.status} ${await res.text()}`);
}
