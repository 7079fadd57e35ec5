/**
 * Lets the event loop run every couple of milliseconds of block building. State reads mostly hit
 * caches, so `await` alone never yields to I/O: without this, RPC requests and verifier replies
 * would wait for the whole block. (Scheduling only: the block's content does not depend on it.)
 */
export class Pacer {
  #last = performance.now();
  constructor(private readonly sliceMs = 2) {}
  async breathe(): Promise<void> {
    if (performance.now() - this.#last < this.sliceMs) return;
    await new Promise((r) => setImmediate(r));
    this.#last = performance.now();
  }
}
