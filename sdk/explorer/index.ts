/** The devnet web explorer (static assets and the request handler that serves them). */
export { explorerAssetsDir, explorerHandler } from './handler.js';
