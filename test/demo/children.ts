import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

/** A program the demo started and must stop again. */
export interface DemoChild {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<string>;
}

/**
 * Starts a program with its output prefixed by its name, so one terminal shows the whole pipeline.
 * Output is line-buffered so lines of different programs never interleave mid-line.
 */
export function startChild(
  name: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  sink: NodeJS.WritableStream = process.stderr,
): DemoChild {
  // Its own process group: Ctrl-C in the terminal reaches the demo alone, which then stops each
  // program in order (a second signal would make them skip their graceful shutdown).
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // Even if the demo itself dies, nothing it started is left running.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') sink.write(`[${name}] ${line}\n`);
    });
  }
  const exited = once(child, 'exit').then(([code, signal]) => {
    process.removeListener('exit', killOnExit);
    return String(code ?? signal);
  });
  child.once('error', (error) => sink.write(`[${name}] could not start: ${error.message}\n`));
  return { name, process: child, exited };
}

/**
 * Stops programs in order: SIGTERM, then SIGKILL for any still running after `graceMs`. Resolves
 * when every one has exited, so nothing the demo started is left behind.
 */
export async function stopChildren(children: readonly DemoChild[], graceMs: number): Promise<void> {
  for (const child of children) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) continue;
    child.process.kill('SIGTERM');
    const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
    await child.exited;
    clearTimeout(timer);
  }
}
