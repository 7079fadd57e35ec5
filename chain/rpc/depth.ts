/**
 * The JSON nesting limit. `JSON.parse` itself copes with deep input, but everything after it (param
 * schemas, module argument codecs, `JSON.stringify` of an echo) recurses, and 50k levels overflow the
 * stack. One linear scan, before parsing, refuses anything deeper than the limit.
 */

/** Deepest nesting of arrays and objects a request may have (a batch counts as one level). */
export const MAX_JSON_DEPTH = 128;

/**
 * The nesting depth of a JSON text, counted up to `limit + 1` (the scan stops there). Brackets inside
 * strings do not count; the text need not be valid JSON (the parser judges that afterwards).
 */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      // Skip the string in one native search per quote (transactions are kilobytes of hex): it ends
      // at the first quote after an even run of backslashes.
      const close = stringEnd(text, i);
      if (close < 0) return max; // unterminated: the parser will say so
      i = close;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return max;
}

/** Index of the quote that closes the string opened at `open`, or -1. */
function stringEnd(text: string, open: number): number {
  for (let from = open + 1; ; ) {
    const q = text.indexOf('"', from);
    if (q < 0) return -1;
    let slashes = 0;
    while (q - slashes - 1 > open && text.charCodeAt(q - slashes - 1) === 0x5c /* \ */) slashes++;
    if (slashes % 2 === 0) return q;
    from = q + 1;
  }
}
