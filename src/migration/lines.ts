import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * Where an import reads its lines from. Importing reads them twice (check everything, then write), so a source is
 * either an array or a function that opens the lines afresh each time (`() => readLines(file)`).
 */
export type LineSource = readonly string[] | (() => AsyncIterable<string> | Iterable<string>);

export const openLines = (source: LineSource): AsyncIterable<string> | Iterable<string> =>
  typeof source === 'function' ? source() : source;

/** The lines of a UTF-8 text file, without their line ends (LF or CRLF) and without a leading byte-order mark. */
export async function* readLines(file: string): AsyncGenerator<string> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let first = true;
  try {
    for await (const line of lines) {
      yield first && line.startsWith('\uFEFF') ? line.slice(1) : line;
      first = false;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
