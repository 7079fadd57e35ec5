/**
 * Numbered crash points for recovery tests (after CometBFT's `fail.Fail()`): with
 * `SESSIONCHAIN_FAIL_POINT=<name>[:<n>]` the process kills itself (SIGKILL) the n-th time (default
 * 1st) execution passes that point. Names: `before-batch`, `after-batch`, `after-commit`,
 * `before-response`. Unset in normal operation; the check is one string comparison.
 */
const spec = process.env.SESSIONCHAIN_FAIL_POINT;
const [target, nth] = spec ? spec.split(':') : [];
let remaining = Number(nth ?? '1');

export function failPoint(name: string): void {
  if (target !== name) return;
  remaining--;
  if (remaining <= 0) {
    process.stderr.write(`[failpoint] crashing at ${name}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}
