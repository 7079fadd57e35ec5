/**
 * The process's memory as `chain.Status` reports it. `heapUsed` swings with garbage not yet
 * collected; the heap right after the last full (mark-compact) collection is what the process
 * really holds, so a soak compares that.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';

let observer: PerformanceObserver | undefined;
let afterFullGc: number | undefined;
let fullGcs = 0;

/** Starts recording the heap after each full collection (idempotent). */
export function watchFullCollections(): void {
  if (observer) return;
  observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if ((e as unknown as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
      fullGcs++;
      afterFullGc = process.memoryUsage().heapUsed;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
}

export function memoryJson() {
  const m = process.memoryUsage();
  return {
    rssBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    heapTotalBytes: m.heapTotal,
    externalBytes: m.external,
    arrayBuffersBytes: m.arrayBuffers,
    /** Heap in use just after the last full collection (null before the first one). */
    heapAfterFullGcBytes: afterFullGc ?? null,
    fullGcs,
  };
}
