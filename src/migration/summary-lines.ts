import type { LogSummary } from './log-summary.js';

/** The summary lines export and import print: count, last seq, root (hex; base64 as a checkpoint shows it). */
export const summaryLines = (summary: LogSummary): string =>
  `count ${summary.count}\n` +
  `last seq ${summary.lastSeq}\n` +
  `root ${summary.root.toString('hex')}\n` +
  `root (base64, as in a checkpoint) ${summary.root.toString('base64')}\n`;
