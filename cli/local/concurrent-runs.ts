// Several executions in one sandbox, at most `concurrency` at a time, in the order given: the
// next starts when one ends, at that virtual moment. The scheduler (sandbox/scheduler.ts)
// interleaves the ones that run at once.

/** Runs `run` for each item, at most `concurrency` at once; the results in the items' order. */
export async function runConcurrently<T, R>(items: readonly T[], concurrency: number, run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}
