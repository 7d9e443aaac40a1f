import type { StreamingRead } from '@eventstore/db-client';

/**
 * Drains one of the client's read streams into an array. Errors the server reports while streaming
 * (e.g. `StreamNotFoundError`) reject here. When `signal` aborts, the gRPC call is cancelled and what was
 * read so far is returned; the caller checks `signal.aborted`.
 */
export const collect = async <T>(read: StreamingRead<T>, signal?: AbortSignal): Promise<T[]> => {
  // The client emits late errors on the stream (after we stop iterating); an unheard 'error' would crash the process.
  read.on('error', () => undefined);
  const items: T[] = [];
  const stop = () => {
    void read.cancel().catch(() => undefined);
    read.destroy();
  };
  if (signal?.aborted) {
    stop();
    return items;
  }
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const item of read) items.push(item);
  } catch (error) {
    if (signal?.aborted) return items;
    throw error;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  return items;
};
