/** A reader-writer lock with writer preference: queries see either the state before or after a commit. */
export class RwLock {
  #readers = 0;
  #writer = false;
  #waitingWriters = 0;
  #queue: (() => void)[] = [];

  async read<T>(fn: () => Promise<T>): Promise<T> {
    while (this.#writer || this.#waitingWriters > 0) await new Promise<void>((r) => this.#queue.push(r));
    this.#readers++;
    try {
      return await fn();
    } finally {
      this.#readers--;
      this.#wake();
    }
  }

  async write<T>(fn: () => Promise<T>): Promise<T> {
    this.#waitingWriters++;
    while (this.#writer || this.#readers > 0) await new Promise<void>((r) => this.#queue.push(r));
    this.#waitingWriters--;
    this.#writer = true;
    try {
      return await fn();
    } finally {
      this.#writer = false;
      this.#wake();
    }
  }

  #wake(): void {
    const q = this.#queue;
    this.#queue = [];
    for (const r of q) r();
  }
}
