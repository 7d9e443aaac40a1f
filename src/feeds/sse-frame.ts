/**
 * One Server-Sent Events message (WHATWG HTML §9.2.6), as bytes ready for the socket. Every line of `data` gets
 * its own `data:` field, splitting on CRLF, CR and LF alike: the spec treats all three as line ends, so a bare CR
 * left inside one `data:` line would cut the message. (Feed data is JSON, which escapes all three, so it is one
 * line in practice; the split keeps the framing right whatever is sent.) `id` and `event` must be single lines.
 */
export const sseFrame = (message: { id?: string; event?: string; data: string }): Buffer => {
  let frame = '';
  if (message.id !== undefined) frame += `id: ${singleLine(message.id)}\n`;
  if (message.event !== undefined) frame += `event: ${singleLine(message.event)}\n`;
  for (const line of message.data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return Buffer.from(`${frame}\n`);
};

/** An `id:` line alone: sets the client's last event ID to `seq` and dispatches no event (it has no data). */
export const sseResumePoint = (seq: number): Buffer => Buffer.from(`id: ${seq}\n\n`);

/** A comment line (`: text`), ignored by clients: heartbeats and the stream's opening line. */
export const sseComment = (text: string): Buffer => Buffer.from(`: ${singleLine(text)}\n\n`);

const singleLine = (value: string): string => {
  if (/[\r\n]/.test(value)) throw new RangeError('an SSE id, event name or comment must be one line');
  return value;
};
