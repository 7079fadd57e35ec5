/**
 * Browser safety. A web page the user visits can reach a devnet on loopback in two ways; both are
 * closed by default:
 *
 *  - cross-origin: the browser sends `Origin` (always on a WebSocket upgrade, on every cross-origin
 *    request). Only loopback origins (`http://localhost:3000`, `http://127.0.0.1:8080`, …) are
 *    accepted, plus those listed by `--allow-origin` (`*` accepts any). Requests without `Origin`
 *    (curl, SDKs, other processes) are not from a page and pass.
 *  - DNS rebinding: the page's own name is made to resolve to 127.0.0.1, so the request is
 *    same-origin and carries `Host: evil.example:9651`. `Host` must be a loopback name (`localhost`,
 *    `*.localhost`), an IP literal (a rebinding needs a name), the name given to `--host`, or one
 *    listed by `--allow-host` (`*` accepts any).
 *
 * Accepted origins get CORS headers, so a page the user allowed can call the node.
 */
import { isIP } from 'node:net';

export interface BrowserPolicy {
  /** Extra origins (`scheme://host[:port]`), or `*`. Loopback origins are always accepted. */
  allowOrigins: readonly string[];
  /** Extra `Host` names, or `*`. Loopback names and IP literals are always accepted. */
  allowHosts: readonly string[];
}

export interface Refusal {
  name: 'OriginNotAllowed' | 'HostNotAllowed';
  message: string;
}

/** `localhost`, `*.localhost` (RFC 6761), 127.0.0.0/8 and ::1, with or without a trailing dot (for a Host, an Origin or a bind address). */
export function isLoopbackName(hostname: string): boolean {
  const h = stripDot(unbracket(hostname.toLowerCase()));
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

const unbracket = (h: string) => (h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h);
const stripDot = (h: string) => (h.endsWith('.') ? h.slice(0, -1) : h);

/** The hostname of a `Host` header (`name:port`, `[v6]:port`), lower-case, without a trailing dot. */
function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return stripDot(colon >= 0 ? h.slice(0, colon) : h);
}

/** Normalizes an origin for comparison: `scheme://host[:port]`, lower-case, default ports dropped. */
export function normalizeOrigin(origin: string): string | undefined {
  if (origin === 'null' || origin === '*') return origin;
  try {
    const u = new URL(origin);
    if (u.origin !== 'null') return u.origin.toLowerCase();
    return u.host ? `${u.protocol}//${u.host}`.toLowerCase() : undefined; // chrome-extension://id and the like
  } catch {
    return undefined;
  }
}

/** A refusal for a `Host` header this policy does not accept, or undefined. */
export function checkHost(hostHeader: string | undefined, policy: BrowserPolicy): Refusal | undefined {
  if (hostHeader === undefined) return undefined; // HTTP/1.0 without Host: no browser sends that
  const hostname = hostnameOf(hostHeader);
  if (isLoopbackName(hostname) || isIP(unbracket(hostname)) !== 0) return undefined;
  if (policy.allowHosts.includes('*') || policy.allowHosts.some((a) => stripDot(a.toLowerCase()) === hostname)) return undefined;
  return {
    name: 'HostNotAllowed',
    message: `Host ${JSON.stringify(hostHeader.slice(0, 100))} is not allowed (a DNS-rebinding defence): use localhost or an IP address, or start the node with --allow-host ${hostname.slice(0, 100)}`,
  };
}

/** A refusal for an `Origin` header this policy does not accept, or undefined. */
export function checkOrigin(origin: string | undefined, policy: BrowserPolicy): Refusal | undefined {
  if (origin === undefined) return undefined;
  if (policy.allowOrigins.includes('*')) return undefined;
  const normalized = normalizeOrigin(origin);
  if (normalized && normalized !== 'null') {
    const u = new URL(normalized);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && isLoopbackName(u.hostname)) return undefined;
  }
  if (normalized && policy.allowOrigins.some((a) => normalizeOrigin(a) === normalized)) return undefined;
  return {
    name: 'OriginNotAllowed',
    message: `Origin ${JSON.stringify(origin.slice(0, 100))} is not allowed: only loopback pages may call this node; start it with --allow-origin ${(normalized ?? origin).slice(0, 100)} to allow this page`,
  };
}

/** CORS response headers for an accepted `Origin` (none without one). */
export function corsHeaders(origin: string | undefined): Record<string, string> {
  if (origin === undefined) return {};
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

/** The answer to a CORS preflight (`OPTIONS`) from an accepted origin. */
export function preflightHeaders(origin: string, requestHeaders: Record<string, string | string[] | undefined>): Record<string, string> {
  return {
    ...corsHeaders(origin),
    'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
    'Access-Control-Allow-Headers': 'content-type',
    'Access-Control-Max-Age': '600',
    // Chrome's Private Network Access asks before a public page reaches loopback.
    ...(requestHeaders['access-control-request-private-network'] === 'true' ? { 'Access-Control-Allow-Private-Network': 'true' } : {}),
  };
}
