import net from "node:net";
import tls from "node:tls";
import type { HealthStatus } from "./contract";

/**
 * A real connectivity probe of a brand's endpointUrl: a TLS handshake that completes is "active", a TCP
 * connection whose handshake fails (bad or self-signed certificate, not TLS at all) is "degraded", and a
 * host that cannot be reached in time is "unreachable".
 */
export function probeEndpoint(endpointUrl: string, timeoutMs = 2000): Promise<HealthStatus> {
  let url: URL;
  try {
    url = new URL(endpointUrl);
  } catch {
    return Promise.resolve("unreachable");
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const port = url.port ? Number(url.port) : 443;

  return new Promise<HealthStatus>((resolve) => {
    let connected = false;
    let settled = false;
    const finish = (status: HealthStatus): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(status);
    };
    const tcp = net.connect({ host, port });
    const socket = tls.connect({ socket: tcp, servername: net.isIP(host) ? undefined : host });
    tcp.once("connect", () => (connected = true));
    socket.once("secureConnect", () => finish("active"));
    socket.once("error", () => finish(connected ? "degraded" : "unreachable"));
    tcp.once("error", () => finish(connected ? "degraded" : "unreachable"));
    const timer = setTimeout(() => finish(connected ? "degraded" : "unreachable"), timeoutMs);
    timer.unref();
  });
}
