/** The emulator's admin API, for tests that inject faults and inspect what the server saw. */
import type { RequestLogEntry } from "../../emulator/requestlog";

/** One entry of the emulator's request log, as the admin API returns it. */
export type LoggedRequest = RequestLogEntry;

export class EmulatorAdmin {
  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}/__admin${path}`, {
      method,
      headers: { "x-emulator-admin-token": this.token, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  }

  fault(rule: Record<string, unknown>) {
    return this.call<{ id: string }>("POST", "/faults", rule);
  }
  clearFaults() {
    return this.call<void>("DELETE", "/faults");
  }
  async requests(): Promise<LoggedRequest[]> {
    return (await this.call<{ requests: LoggedRequest[] }>("GET", "/requests")).requests;
  }
  clearRequests() {
    return this.call<void>("DELETE", "/requests");
  }
  setHealth(brandId: string, healthStatus: string | null) {
    return this.call("PUT", `/brands/${brandId}/health`, { healthStatus });
  }
  revokeTokens(clientId?: string) {
    return this.call("POST", "/tokens/revoke", clientId ? { clientId } : {});
  }
  async tokensIssued(clientId?: string): Promise<number> {
    return (await this.call<{ issued: number }>("GET", `/tokens/count${clientId ? `?clientId=${encodeURIComponent(clientId)}` : ""}`))
      .issued;
  }
  async deliveries(): Promise<Record<string, unknown>[]> {
    return (await this.call<{ deliveries: Record<string, unknown>[] }>("GET", "/deliveries")).deliveries;
  }
  reset() {
    return this.call<void>("POST", "/reset");
  }
}
