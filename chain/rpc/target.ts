/**
 * A request's target (`req.url`) as a URL, for its path and query. `new URL` throws on targets a
 * client may well send (`//host:99999/`, an absolute URL with a bad port); a listener that let that
 * escape would take the process down, so a target that does not parse is `undefined` (answer 400).
 */
export function requestTarget(url: string | undefined): URL | undefined {
  try {
    return new URL(url ?? '/', 'http://x');
  } catch {
    return undefined;
  }
}
