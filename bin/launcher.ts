/**
 * Signals through `npx`: `npx sessionchain devnet` runs the node as npm exec → sh → node, and npm
 * does not pass a SIGTERM sent to its own PID on. A long-running command started that way watches
 * the npm process instead, and stops itself (gracefully, like on SIGTERM) when it is gone.
 */
import { readFileSync } from 'node:fs';

/** The PID of the `npm exec` that started this process through `sh -c`, if any (Linux /proc). */
export function npmExecPid(): number | undefined {
  if (process.env.npm_command !== 'exec') return undefined;
  const parentOf = (pid: number): number | undefined => {
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so split after the last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return undefined;
    }
  };
  const shell = process.ppid;
  const comm = (() => {
    try {
      return readFileSync(`/proc/${shell}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  })();
  // Directly under npm (no shell in between), the parent is npm itself.
  if (!/^(sh|bash|dash|zsh)$/.test(comm)) return shell;
  return parentOf(shell);
}

/**
 * Calls `stop` once when the launching `npm exec` process (`launcher`, found with npmExecPid() as
 * the command starts, before anything can kill it) exits; polls once a second and never keeps the
 * process alive.
 */
export function stopWithLauncher(launcher: number | undefined, stop: (why: string) => void): void {
  const pid = launcher;
  if (pid === undefined || pid <= 1) return;
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch {
      clearInterval(timer);
      stop('npx exited');
    }
  }, 1000);
  timer.unref();
}
