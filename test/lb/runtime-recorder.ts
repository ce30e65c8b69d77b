/**
 * A stats socket in front of HAProxy's: forwards each connection's command, recording every command
 * and answer, so a test sees exactly what reached HAProxy. A command may be held back until the
 * test has looked at HAProxy's state in between.
 */
import * as fs from "node:fs";
import * as net from "node:net";

export interface RuntimeRecorder {
  socket: string;
  commands: string[];
  answers: string[];
  /** Holds the next command starting with `prefix` until `release()`; `reached()` says it arrived. */
  hold(prefix: string): { reached: () => boolean; release: () => void };
  close(): Promise<void>;
}

export async function startRuntimeRecorder(haproxySocket: string, socket: string): Promise<RuntimeRecorder> {
  const commands: string[] = [];
  const answers: string[] = [];
  const holds: { prefix: string; arrived: boolean; open: Promise<void>; release: () => void }[] = [];
  fs.rmSync(socket, { force: true });
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    let text = "";
    client.on("data", (d: Buffer) => (text += d.toString("utf8")));
    client.on("error", () => undefined);
    client.on("end", () => {
      commands.push(text.replace(/\n$/, ""));
      const hold = holds.find((h) => !h.arrived && text.startsWith(h.prefix));
      if (hold) hold.arrived = true;
      void (hold?.open ?? Promise.resolve()).then(() => {
        const upstream = net.connect(haproxySocket);
        let answer = "";
        upstream.on("data", (d: Buffer) => (answer += d.toString("utf8")));
        upstream.on("error", () => client.destroy());
        upstream.on("end", () => {
          answers.push(answer);
          client.end(answer);
        });
        upstream.end(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    commands,
    answers,
    hold(prefix) {
      let release = () => undefined as void;
      const open = new Promise<void>((resolve) => (release = resolve));
      const entry = { prefix, arrived: false, open, release };
      holds.push(entry);
      return { reached: () => entry.arrived, release: () => entry.release() };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
