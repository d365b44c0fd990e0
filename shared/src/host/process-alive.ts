/**
 * Whether a process with this pid runs on this host. Signal 0 only asks; EPERM means it runs as
 * another user, which still counts as alive.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
