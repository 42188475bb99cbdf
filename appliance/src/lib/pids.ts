/**
 * Whether a process id is running, for files that name their writer's pid (the ring-edit
 * lock, the replicator's status file). Owns nothing else.
 */

/** True when `pid` is a running process (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
