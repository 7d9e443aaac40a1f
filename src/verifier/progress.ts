/**
 * A one-line progress bar for the download, redrawn with `\r` — only on a terminal: when stderr is a file or a
 * pipe nothing is written, so logs and `--json` output stay clean.
 */
export interface Progress {
  readonly phase: 'download' | 'recheck';
  readonly done: number;
  readonly total: number;
}

const WIDTH = 30;
const LABEL: Record<Progress['phase'], string> = { download: 'downloading', recheck: 're-checking' };

export const createProgressBar = (stream: Pick<NodeJS.WriteStream, 'isTTY' | 'write'>, intervalMs = 100) => {
  let drawnAt = 0;
  let drawn = false;
  return {
    update(progress: Progress): void {
      if (!stream.isTTY || progress.total <= 0) return;
      const now = Date.now();
      if (now - drawnAt < intervalMs && progress.done < progress.total) return;
      drawnAt = now;
      drawn = true;
      const filled = Math.min(WIDTH, Math.floor((WIDTH * progress.done) / progress.total));
      const percent = Math.floor((100 * progress.done) / progress.total);
      stream.write(`\r${LABEL[progress.phase]} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${percent}% ${progress.done}/${progress.total} entries\u001b[K`);
    },
    /** Clears the bar's line. */
    clear(): void {
      if (drawn) stream.write('\r\u001b[K');
      drawn = false;
    },
  };
};
