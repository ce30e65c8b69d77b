/**
 * One HTTP attempt, and nothing else: no token, no pacing, no retry. It never throws: a failure to
 * get an answer (timeout, reset, refused, unresolved host) is an outcome like any status, so the
 * wrappers around it (with-pacing.ts, with-retry.ts, recording.ts) decide what it means.
 */
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import axios, { type AxiosResponse } from "axios";
import { ADDRESS_REFUSED } from "../validation/checked-lookup";
import type { Method } from "./call";
import type { AttemptOutcome } from "./retry";

export interface AttemptRequest {
  method: Method;
  url: string;
  query?: Record<string, string | number>;
  /** A string is sent as it is (the token request's form); anything else as JSON. */
  body?: unknown;
  headers: Record<string, string>;
  /** 1 for a call's first attempt, 2 for its first resend, and so on. */
  attempt: number;
}

export interface Attempt {
  outcome: AttemptOutcome;
  /** The answer, when one arrived. */
  response?: { status: number; data: unknown; correlationId?: string };
  /** Milliseconds until a pause every caller of the host shares ends (set by the pacing wrapper). */
  pauseMs?: number;
}

export type Send = (req: AttemptRequest) => Promise<Attempt>;

export interface SendOptions {
  timeoutMs: number;
  /**
   * For hosts a user named (a load balancer's callback): resolves and judges every connection's
   * host (validation/checked-lookup.ts). Such a send connects directly, never through an
   * HTTP(S)_PROXY from the environment (the proxy would resolve the name itself, unchecked), and
   * opens a fresh connection per attempt so each attempt is judged again.
   */
  lookup?: LookupFunction;
}

export function createSend(opts: SendOptions): Send {
  const { timeoutMs, lookup } = opts;
  const client = axios.create({
    timeout: timeoutMs,
    // A redirect would carry the bearer token to another host; we report it instead.
    maxRedirects: 0,
    validateStatus: () => true,
    httpAgent: lookup ? new http.Agent({ keepAlive: false, lookup }) : new http.Agent({ keepAlive: true }),
    httpsAgent: lookup ? new https.Agent({ keepAlive: false, lookup }) : new https.Agent({ keepAlive: true }),
    ...(lookup ? { proxy: false as const } : {}),
    headers: { "User-Agent": "genesys-webmessaging-pulumi" },
  });
  return async (req) => {
    try {
      const res = await client.request({
        method: req.method,
        url: req.url,
        params: req.query,
        data: req.body,
        headers:
          req.body !== undefined && typeof req.body !== "string" ? { ...req.headers, "Content-Type": "application/json" } : req.headers,
      });
      return {
        outcome: { kind: "response", status: res.status, retryAfter: headerOf(res, "retry-after") },
        response: { status: res.status, data: res.data as unknown, correlationId: headerOf(res, "inin-correlation-id") },
      };
    } catch (err) {
      const code = networkCode(err);
      // The address rules' refusal says which host, which address and which setting: keep it.
      if (code === ADDRESS_REFUSED) return { outcome: { kind: "network", code, reason: (err as Error).message } };
      return { outcome: { kind: "network", code } };
    }
  };
}

function headerOf(res: AxiosResponse, name: string): string | undefined {
  const value: unknown = res.headers?.[name];
  return typeof value === "string" ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

function networkCode(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" ? code : "ENETWORK";
}
