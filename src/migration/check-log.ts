import { createLogValidator, LogLineError, parseLogLine } from './log-line.js';
import { openLines, type LineSource } from './lines.js';
import { createRootAccumulator, type LogSummary } from './log-summary.js';

/** Blank lines (a trailing newline, an editor's extra line) carry nothing and are skipped. */
export const isBlank = (line: string): boolean => line.trim() === '';

/**
 * Reads a whole export, checks every line (JSON, fields, seq dense from 0, revisions dense per stream, ids used
 * once, storable by every adapter, hashable as a leaf) and returns its count, last seq and root hash — the root
 * the transparency log of a store holding these events reaches. Throws a LogLineError naming the first bad line.
 */
export const checkLog = async (
  source: LineSource,
  options: { onProgress?: (progress: { done: number }) => void } = {},
): Promise<LogSummary> => {
  const validator = createLogValidator();
  const root = createRootAccumulator();
  let line = 0;
  for await (const text of openLines(source)) {
    line += 1;
    if (isBlank(text)) continue;
    const entry = parseLogLine(text, line);
    validator.accept(entry, line);
    try {
      root.add(entry);
    } catch (error) {
      throw new LogLineError(line, `cannot be hashed as a log leaf (${(error as Error).message})`);
    }
    if (validator.count % 1000 === 0) options.onProgress?.({ done: validator.count });
  }
  options.onProgress?.({ done: validator.count });
  return root.summary();
};
