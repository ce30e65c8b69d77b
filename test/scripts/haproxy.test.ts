/**
 * The throwaway HAProxy of `npm start -- --lb haproxy` (scripts/haproxy.ts): it answers on its
 * stats socket while it runs and leaves no socket file behind once stopped.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningHaproxy, startHaproxy } from "../../scripts/haproxy";

describe("the demo's HAProxy", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gwm-haproxy-"));
  let haproxy: RunningHaproxy | undefined;
  afterAll(async () => {
    await haproxy?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("removes its admin socket when it stops", { timeout: 60_000 }, async () => {
    haproxy = await startHaproxy({ dir });
    expect(fs.existsSync(haproxy.socket)).toBe(true);
    const pid = haproxy.pid();
    expect(pid).toBeGreaterThan(0);
    await haproxy.stop();
    expect(() => process.kill(pid!, 0), "HAProxy still runs").toThrow();
    expect(fs.readdirSync(dir).sort()).toEqual(["haproxy.cfg"]);
  });
});
