/**
 * `npm run deploy ... | head` and `npm run shard ... | head` close the output pipe early. What the
 * command does (files written, stacks deployed) does not depend on anyone reading its report, so a
 * closed pipe is no error: the command carries on silently and exits with its own code.
 */
export function ignoreClosedStdout(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    // EPIPE when the reader has gone; ERR_STREAM_DESTROYED for writes after that.
    if (err.code !== "EPIPE" && err.code !== "ERR_STREAM_DESTROYED") throw err;
  });
}
