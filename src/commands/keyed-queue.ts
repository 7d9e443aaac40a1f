/**
 * Runs tasks that share a key one after another, in arrival order; tasks with different keys run
 * concurrently. Concurrent writers to one stream queue here instead of failing each other's
 * expected-revision check.
 */
export const createKeyedQueue = () => {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
};
