/**
 * A one-line progress report for long CLI work (design §9: import, export, verify show progress), redrawn with
 * `\r` and only on a terminal: when stderr is a file or a pipe nothing is written, so logs stay clean.
 */
export const createProgressLine = (stream: Pick<NodeJS.WriteStream, 'isTTY' | 'write'>, intervalMs = 250) => {
  const started = Date.now();
  let drawnAt = 0;
  let drawn = false;
  let phase = '';
  let phaseStarted = started;
  return {
    /** `done` events of `phase` so far (of `total`, when known). */
    update(nextPhase: string, done: number, total?: number): void {
      if (!stream.isTTY) return;
      const now = Date.now();
      if (nextPhase !== phase) {
        phase = nextPhase;
        phaseStarted = now;
      } else if (now - drawnAt < intervalMs) return;
      drawnAt = now;
      drawn = true;
      const seconds = Math.max((now - phaseStarted) / 1000, 0.001);
      const rate = Math.round(done / seconds).toLocaleString('en-US');
      const of = total === undefined ? '' : ` of ${total.toLocaleString('en-US')} (${Math.floor((100 * done) / Math.max(total, 1))} %)`;
      stream.write(`\r${phase}: ${done.toLocaleString('en-US')} events${of}, ${rate} events/s\u001b[K`);
    },
    /** Clears the line, so a summary can follow. */
    clear(): void {
      if (drawn) stream.write('\r\u001b[K');
      drawn = false;
    },
  };
};
