export interface RequestLogEntry {
  time: string;
  method: string;
  path: string;
  status: number;
  correlationId: string;
  durationMs: number;
  clientId?: string;
  /** Id of the fault rule that shaped this response, if any. */
  fault?: string;
}

/** Query parameters that are safe to keep; anything else (a token or secret passed by mistake) is dropped. */
const SAFE_QUERY = new Set([
  "pageSize",
  "pageNumber",
  "name",
  "expand",
  "expand[]",
  "grant_type",
  "before",
  "after",
  "showOnlyPublished",
  "type",
]);

/** Path plus only the allow-listed query parameters: a URL may carry a credential, an entry never does. */
export function loggablePath(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const kept = new URLSearchParams();
  for (const [k, v] of params) if (SAFE_QUERY.has(k)) kept.append(k, v);
  const qs = kept.toString();
  return qs ? `${url.slice(0, q)}?${qs}` : url.slice(0, q);
}

/** A bounded ring: the newest `capacity` entries, O(1) per append. */
export class RequestLog {
  private readonly buf: (RequestLogEntry | undefined)[];
  private next = 0;
  private size = 0;

  constructor(private readonly capacity = 10_000) {
    this.buf = new Array<RequestLogEntry | undefined>(capacity);
  }

  add(entry: RequestLogEntry): void {
    this.buf[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  entries(): RequestLogEntry[] {
    const out: RequestLogEntry[] = [];
    const start = (this.next - this.size + this.capacity) % this.capacity;
    for (let i = 0; i < this.size; i++) out.push(this.buf[(start + i) % this.capacity]!);
    return out;
  }

  clear(): void {
    this.buf.fill(undefined);
    this.next = 0;
    this.size = 0;
  }
}
