/**
 * The one rule for where plain http is acceptable: this machine only (the emulator, a local load
 * balancer, a developer's local page). Anything that leaves the machine must use TLS. `hostname` is
 * as URL#hostname gives it (IPv6 in brackets).
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || hostname === "::1" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
