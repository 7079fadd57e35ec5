/**
 * The devnet's web explorer: static files (HTML, CSS, one ES module) shipped in the package, served
 * at `GET /` of the RPC port through `RpcServer`'s `httpGet` hook. The page talks only to the
 * node's public JSON-RPC (`POST /`) and WebSocket subscriptions on the same origin; nothing is
 * loaded from anywhere else.
 *
 *   new RpcServer(node, { httpGet: explorerHandler() });
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** URL path → file name under assets/. */
const ROUTES: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/explorer/app.css': 'app.css',
  '/explorer/app.js': 'app.js',
  '/explorer/views.js': 'views.js',
  '/explorer/format.js': 'format.js',
  '/explorer/rpc.js': 'rpc.js',
  '/favicon.svg': 'favicon.svg',
};

const HEADERS = {
  'Cache-Control': 'no-cache',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // Same origin only: the page, its script and style, and the node's RPC / WebSocket.
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/** The assets folder: next to this module in the sources, or the sources' one when running from dist/. */
export function explorerAssetsDir(): string {
  const here = new URL('./assets/', import.meta.url);
  const candidates = [here, new URL('../../../sdk/explorer/assets/', import.meta.url)];
  for (const c of candidates) if (existsSync(new URL('index.html', c))) return fileURLToPath(c);
  throw new Error(`the explorer's assets are missing (looked in ${candidates.map((c) => fileURLToPath(c)).join(', ')})`);
}

interface Asset {
  body: Buffer;
  type: string;
}

/** A `httpGet` handler for `RpcServer` that serves the explorer; false for paths it does not know. */
export function explorerHandler(dir = explorerAssetsDir()): (path: string, req: IncomingMessage, res: ServerResponse) => boolean {
  const assets = new Map<string, Asset>();
  for (const [path, file] of Object.entries(ROUTES)) {
    const ext = file.slice(file.lastIndexOf('.'));
    assets.set(path, { body: readFileSync(`${dir}/${file}`), type: TYPES[ext]! });
  }
  return (path, req, res) => {
    const a = assets.get(path);
    if (!a) return false;
    res.writeHead(200, { 'Content-Type': a.type, 'Content-Length': String(a.body.length), ...HEADERS });
    res.end(req.method === 'HEAD' ? undefined : a.body);
    return true;
  };
}
