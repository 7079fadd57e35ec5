/**
 * Connection limits of the RPC server, so that sockets cannot starve HTTP and a slow or idle client
 * cannot hold memory:
 *
 *  - at most `maxConnections` sockets in all; WebSockets take at most `maxWsConnections` of them, so
 *    the rest is always there for HTTP;
 *  - per IP, at most `maxConnectionsPerIp` sockets (beyond it a new one is closed at once) and at
 *    most `maxWsPerIp` WebSockets (beyond it an upgrade is answered 429);
 *  - a WebSocket that neither sent a message nor holds a subscription for `wsIdleTimeoutMs` is
 *    closed with code 1001;
 *  - a WebSocket whose unsent data passes its share (a consumer that does not read) is closed with
 *    code 1008, and cut off `wsCloseGraceMs` later if it does not read its close frame. The share is
 *    `wsBufferBudgetBytes` split evenly over the open WebSockets, at most `wsMaxBufferedBytes`: unsent
 *    data in all of them together stays within the budget however many stop reading, so memory
 *    hardly grows and has little to give back once they are gone. (The kernel's socket buffers
 *    take the first megabytes of a slow reader before anything waits in the process.)
 */

export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  maxWsConnections: number;
  maxWsPerIp: number;
  wsIdleTimeoutMs: number;
  wsMaxBufferedBytes: number;
  wsBufferBudgetBytes: number;
  wsCloseGraceMs: number;
}

export const CONNECTION_DEFAULTS: ConnectionLimits = {
  maxConnections: 1024,
  maxConnectionsPerIp: 512,
  maxWsConnections: 512,
  maxWsPerIp: 128,
  wsIdleTimeoutMs: 120_000,
  wsMaxBufferedBytes: 4 * 1024 * 1024,
  wsBufferBudgetBytes: 4 * 1024 * 1024,
  wsCloseGraceMs: 5_000,
};

/** WebSocket close codes the server uses. */
export const WsClose = {
  /** Idle: no message and no subscription for wsIdleTimeoutMs; also server shutdown. */
  GoingAway: 1001,
  /** Slow consumer: more than wsMaxBufferedBytes waiting to be sent. */
  PolicyViolation: 1008,
  /** A message over the body limit (sent by the `ws` library). */
  MessageTooBig: 1009,
} as const;

/** Counts per key (an IP address); a key leaves the map when its count returns to zero, so memory follows live connections. */
export class Counter {
  readonly #counts = new Map<string, number>();
  #total = 0;

  get total(): number {
    return this.#total;
  }

  get(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  add(key: string): void {
    this.#counts.set(key, this.get(key) + 1);
    this.#total++;
  }

  remove(key: string): void {
    const n = this.get(key);
    if (n <= 0) return;
    if (n === 1) this.#counts.delete(key);
    else this.#counts.set(key, n - 1);
    this.#total--;
  }
}

/** Why a WebSocket upgrade is refused (HTTP status and message), or undefined to accept it. */
export function wsAdmission(limits: ConnectionLimits, ws: Counter, ip: string): { status: 429 | 503; message: string } | undefined {
  if (ws.get(ip) >= limits.maxWsPerIp) return { status: 429, message: `too many WebSocket connections from ${ip} (limit ${limits.maxWsPerIp}); close some or use HTTP` };
  if (ws.total >= limits.maxWsConnections) return { status: 503, message: `the node serves at most ${limits.maxWsConnections} WebSocket connections; try again later or use HTTP` };
  return undefined;
}

/** How much unsent data one WebSocket may hold while `open` WebSockets are connected. */
export function wsBufferShare(limits: ConnectionLimits, open: number): number {
  return Math.min(limits.wsMaxBufferedBytes, Math.floor(limits.wsBufferBudgetBytes / Math.max(1, open)));
}
