/** Direct API access for tests: what the emulator holds, seen through the public API. */
import { createGenesysClient, type Brand } from "../../provider/genesys";

export function apiClient(apiUrl: string, clientId = "test-client", clientSecret = "test-secret") {
  return createGenesysClient({ apiUrl, clientId, clientSecret, policy: { baseDelayMs: 1, fallbackRetryAfterMs: 10 } });
}

export async function listBrands(apiUrl: string, clientId = "test-client", clientSecret = "test-secret"): Promise<Brand[]> {
  const client = apiClient(apiUrl, clientId, clientSecret);
  const res = await client.transport.request<{ entities: Brand[] }>({
    operation: "list brands",
    method: "GET",
    path: "/api/v2/webchat/brands",
    query: { pageSize: 500, pageNumber: 1 },
  });
  return res.data.entities;
}
