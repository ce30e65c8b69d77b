/**
 * Mirrors the receiver's pool into one HAProxy backend through the Runtime API: a channel becomes a
 * dynamic server named after its id, at its endpoint's address, with health checks and TLS.
 *
 * HAProxy forgets runtime changes when it restarts, so `instance()` exposes its process start and
 * the receiver reconciles whenever that changes. Dynamic servers start in maintenance with health
 * checks off: each add is followed by `enable health` and `enable server`.
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { endpointHostProblem } from "../endpoint-host";
import { HaproxyRuntimeError, runtimeCommand } from "./haproxy-runtime";
import { type LoadBalancerDriver, type ReconcileReport, type ServerState, type Target, TargetRefusedError } from "./types";

export interface HaproxyDriverOptions {
  /** Stats socket with `level admin`: a path, or `127.0.0.1:PORT`. */
  socket: string;
  /** The backend whose servers are the channels (created in HAProxy's configuration, empty or not). */
  backend: string;
  /**
   * CA bundle HAProxy verifies the channels' certificates with. HAProxy only accepts a file at
   * run time that its configuration already loaded (for example `default-server ca-file FILE` in
   * the backend), so this must be the same path. Default: `@system-ca`.
   */
  caFile?: string;
  /** The IPv4 address HAProxy is to connect to for an endpoint's host name. Default: the system resolver. */
  resolve?: (host: string) => Promise<string>;
  /** How long a removal waits for the server's connections to close. */
  drainTimeoutMs?: number;
  timeoutMs?: number;
}

interface Address {
  host: string;
  ip: string;
  port: number;
  tls: boolean;
}

// show servers state columns (HAProxy 2.x, format 1).
const COL = { name: 3, addr: 4, opState: 5, adminState: 6, port: 18 } as const;
const OP_STATES = ["down", "starting", "up", "stopping"];
const ADMIN_MAINT = 0x01 | 0x02 | 0x04 | 0x20;
const ADMIN_DRAIN = 0x08 | 0x10;

export class HaproxyDriver implements LoadBalancerDriver {
  readonly kind = "haproxy";
  /** What this process applied to the current HAProxy instance, so a repeat is not a reload. */
  private readonly applied = new Map<string, string>();
  private appliedInstance = "";

  constructor(private readonly opts: HaproxyDriverOptions) {
    if (!/^[A-Za-z0-9_.:-]+$/.test(opts.backend)) {
      throw new Error(`HAProxy backend name "${opts.backend}" is not a valid HAProxy identifier`);
    }
    // Written into every `add server` line: a space or `;` there would end the argument or the command.
    if (opts.caFile !== undefined && !/^[^\s;\\#'"]+$/.test(opts.caFile)) {
      throw new Error(
        `HAProxy CA file "${opts.caFile}" must be a path without spaces, quotes, "#", "\\" or ";": move or link it to such a path`,
      );
    }
  }

  async upsert(target: Target): Promise<void> {
    const name = serverName(target.id);
    const addr = await resolveEndpoint(target.endpointUrl, this.opts.resolve ?? systemResolve);
    await this.forgetIfRestarted();
    const current = (await this.servers()).find((s) => s.name === name);
    if (current) {
      if (this.applied.get(name) === target.endpointUrl && current.address === addr.ip && current.port === addr.port) return;
      const previous = this.applied.get(name);
      if (previous && new URL(previous).hostname === addr.host) {
        // Same host name (so the same SNI and certificate check): move the server in place.
        await this.expect(`set server ${this.opts.backend}/${name} addr ${addr.ip} port ${addr.port}`, /changed|no need to change/i);
        this.applied.set(name, target.endpointUrl);
        return;
      }
      await this.remove(target.id);
    }
    await this.expect(
      `add server ${this.opts.backend}/${name} ${addr.ip}:${addr.port} check${this.tlsOptions(addr)}`,
      /New server registered/,
    );
    await this.expect(`enable health ${this.opts.backend}/${name}`, /^\s*$/);
    await this.expect(`enable server ${this.opts.backend}/${name}`, /^\s*$/);
    this.applied.set(name, target.endpointUrl);
  }

  async remove(id: string): Promise<void> {
    const name = serverName(id);
    const server = `${this.opts.backend}/${name}`;
    this.applied.delete(name);
    const first = await this.command(`set server ${server} state maint`);
    if (/No such server/i.test(first)) return;
    await this.command(`shutdown sessions server ${server}`);
    const deadline = Date.now() + (this.opts.drainTimeoutMs ?? 10_000);
    for (;;) {
      const answer = await this.command(`del server ${server}`);
      if (/Server deleted|No such server/i.test(answer)) return;
      if (Date.now() > deadline) {
        throw new HaproxyRuntimeError(`HAProxy did not remove server ${server}: ${answer.trim()}`, "del server");
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async reconcile(desired: Target[]): Promise<ReconcileReport> {
    const report: ReconcileReport = { added: [], updated: [], removed: [] };
    // Every target checked and resolved before anything changes: a refused one leaves the backend as it was.
    const addresses = new Map<string, Address>();
    for (const target of desired) addresses.set(target.id, await resolveEndpoint(target.endpointUrl, this.opts.resolve ?? systemResolve));
    await this.forgetIfRestarted();
    const current = new Map((await this.servers()).map((s) => [s.name, s]));
    const wanted = new Set(desired.map((t) => serverName(t.id)));
    for (const [name] of current) {
      if (!wanted.has(name)) {
        await this.remove(name);
        report.removed.push(name);
      }
    }
    for (const target of desired) {
      const name = serverName(target.id);
      const have = current.get(name);
      const addr = addresses.get(target.id)!;
      if (have && have.address === addr.ip && have.port === addr.port) {
        if (!this.applied.has(name)) this.applied.set(name, target.endpointUrl);
        continue;
      }
      // A server HAProxy has at another address is replaced: this process cannot know its TLS name.
      if (have) this.applied.delete(name);
      await this.upsert(target);
      (have ? report.updated : report.added).push(name);
    }
    return report;
  }

  async servers(): Promise<ServerState[]> {
    const text = await this.command(`show servers state ${this.opts.backend}`);
    if (/Can't find backend/i.test(text)) {
      throw new HaproxyRuntimeError(
        `HAProxy has no backend "${this.opts.backend}": add it to HAProxy's configuration`,
        "show servers state",
      );
    }
    return text
      .split("\n")
      .filter((line) => line.trim() && !line.startsWith("#") && line.trim() !== "1")
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols.length > COL.port)
      .map((cols) => {
        const admin = Number(cols[COL.adminState]);
        const state = admin & ADMIN_MAINT ? "maint" : admin & ADMIN_DRAIN ? "drain" : (OP_STATES[Number(cols[COL.opState])] ?? "unknown");
        return { name: cols[COL.name]!, address: cols[COL.addr]!, port: Number(cols[COL.port]), state };
      });
  }

  async instance(): Promise<string> {
    const info = await this.command("show info");
    const field = (key: string) => new RegExp(`^${key}: (.*)$`, "m").exec(info)?.[1]?.trim();
    const pid = field("Pid");
    const uptime = Number(field("Uptime_sec"));
    if (!pid || !Number.isFinite(uptime)) throw new HaproxyRuntimeError("HAProxy's `show info` has no Pid/Uptime_sec", "show info");
    // Start time to the nearest 10 s: stable across calls, new after a restart even with the same pid.
    return `${pid}@${Math.round((Date.now() / 1000 - uptime) / 10)}`;
  }

  private async forgetIfRestarted(): Promise<void> {
    const now = await this.instance();
    if (now !== this.appliedInstance) {
      this.applied.clear();
      this.appliedInstance = now;
    }
  }

  private tlsOptions(addr: Address): string {
    if (!addr.tls) return "";
    const sni = isIP(addr.host) ? "" : ` sni str(${addr.host}) check-sni ${addr.host}`;
    return ` ssl verify required ca-file ${this.opts.caFile ?? "@system-ca"}${sni}`;
  }

  private command(command: string): Promise<string> {
    return runtimeCommand(this.opts.socket, command, this.opts.timeoutMs);
  }

  private async expect(command: string, ok: RegExp): Promise<void> {
    const answer = await this.command(command);
    if (!ok.test(answer)) {
      throw new HaproxyRuntimeError(`HAProxy refused "${command.split(" ").slice(0, 3).join(" ")}": ${answer.trim()}`, command);
    }
  }
}

/** HAProxy server names allow letters, digits and `_.:-`; channel ids are UUIDs, anything else is mapped. */
function serverName(id: string): string {
  return id.replace(/[^A-Za-z0-9_.:-]/g, "_");
}

/** Only names checked here ever reach the command line: HAProxy would run what follows a `;` as another command. */
async function resolveEndpoint(endpointUrl: string, resolve: (host: string) => Promise<string>): Promise<Address> {
  const problem = endpointHostProblem(endpointUrl);
  if (problem) throw new TargetRefusedError(`endpoint refused: ${problem}`);
  const url = new URL(endpointUrl);
  const tls = url.protocol === "https:" || url.protocol === "wss:";
  const port = Number(url.port || (tls ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const ip = isIP(host) ? host : await resolve(host);
  if (isIP(ip) === 0) throw new TargetRefusedError(`endpoint refused: its host resolved to "${ip}", not an IP address`);
  return { host, ip, port, tls };
}

async function systemResolve(host: string): Promise<string> {
  return (await lookup(host, { family: 4 })).address;
}
