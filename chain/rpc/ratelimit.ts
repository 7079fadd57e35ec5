/** Per-IP token buckets (requests per second with a burst). */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  constructor(
    readonly perSecond: number,
    readonly burst: number,
  ) {}

  /** Takes one token for `ip`; false when the bucket is empty. Disabled when perSecond is 0. */
  take(ip: string, now = Date.now()): boolean {
    if (this.perSecond <= 0) return true;
    let b = this.#buckets.get(ip);
    if (!b) {
      if (this.#buckets.size > 10_000) this.#buckets.clear(); // bounded memory under address churn
      b = { tokens: this.burst, at: now };
      this.#buckets.set(ip, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
