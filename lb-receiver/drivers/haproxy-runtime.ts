/**
 * HAProxy's Runtime API: one command per connection on the stats socket (a UNIX socket or
 * `ipv4@host:port`), answered in plain text until HAProxy closes the connection.
 */
import * as net from "node:net";

export class HaproxyRuntimeError extends Error {
  constructor(
    message: string,
    readonly command: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "HaproxyRuntimeError";
  }
}

/** `socket` is a path, or `host:port` for a TCP stats socket. */
export function runtimeCommand(socket: string, command: string, timeoutMs = 5_000): Promise<string> {
  const tcp = /^(?:ipv4@)?([\d.]+):(\d+)$/.exec(socket);
  // HAProxy runs each `;`-separated part, and each line, as its own command: one command means none of them.
  // eslint-disable-next-line no-control-regex
  if (/[;\x00-\x1f\x7f]/.test(command)) {
    return Promise.reject(
      new HaproxyRuntimeError(
        `refused to send "${verb(command)}" to HAProxy: it holds ";" or a control character, which HAProxy would run as another command`,
        command,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    const conn = tcp ? net.connect(Number(tcp[2]), tcp[1]) : net.connect(socket);
    const chunks: Buffer[] = [];
    const fail = (err: Error) => {
      conn.destroy();
      reject(
        new HaproxyRuntimeError(`HAProxy runtime API at ${socket} did not answer "${verb(command)}": ${err.message}`, command, {
          cause: err,
        }),
      );
    };
    conn.setTimeout(timeoutMs, () => fail(new Error(`no answer within ${timeoutMs} ms`)));
    conn.once("error", fail);
    conn.on("data", (c: Buffer) => chunks.push(c));
    conn.once("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    conn.once("connect", () => conn.end(`${command}\n`));
  });
}

/** The command's first words, for messages: never the whole line, which may carry file paths. */
function verb(command: string): string {
  return command.split(/\s+/).slice(0, 3).join(" ");
}
