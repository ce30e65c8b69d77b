import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
}

/** A webhook receiver on 127.0.0.1:0 that records each request and answers with a scripted status. */
export class Receiver {
  readonly received: Received[] = [];
  /** Statuses for the next requests, in order; once empty, every request gets 200. */
  statuses: number[] = [];
  /** While set, requests are recorded but left unanswered until `release()`. */
  private held: (() => void)[] | undefined;
  private server!: Server;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        this.received.push({ headers: req.headers, raw, body: JSON.parse(raw) });
        const status = this.statuses.shift() ?? 200;
        const answer = (): void => void res.writeHead(status).end();
        if (this.held) this.held.push(answer);
        else answer();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  hold(): void {
    this.held ??= [];
  }

  /** Answers every held request and stops holding. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const answer of held) answer();
  }

  /** Polls for the n-th request; the generous default leaves room for a loaded machine. */
  async waitFor(n: number, timeoutMs = 20_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < n) {
      if (Date.now() > deadline) throw new Error(`expected ${n} deliveries, got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.received;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
