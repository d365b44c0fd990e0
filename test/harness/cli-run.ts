/**
 * Runs a program's CLI the two ways the tests need: as a child process, the way an operator or a
 * script starts it, and in this process through its `main(argv, io)`, which is much faster.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import type { CliIo } from '@exercise-pipeline/shared';
import { trackResource } from './resources.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliProcessOptions {
  /** The child's whole environment; nothing is inherited from the test worker. */
  env: Record<string, string>;
  cwd: string;
  /** Names the child in leak reports. */
  label: string;
  /** The child's whole group is killed after this long. */
  timeoutMs: number;
}

/**
 * Starts `command args…`, collects its output and resolves with its exit code once it closed.
 * stdin is a pipe that is closed at once, never a terminal, like a script or CI job. The child gets
 * a process group of its own and the group is what gets killed (on timeout, or when a test leaves
 * the child running), so nothing it started itself (ffmpeg, a tool run through a wrapper) is left
 * running as an orphan that still holds the output pipes.
 */
export function runCliProcess(
  command: string,
  args: readonly string[],
  options: CliProcessOptions,
): Promise<CliRun> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const tracked = trackResource('process', options.label, () => killProcessGroup(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.end();
  const timer = setTimeout(() => killProcessGroup(child), options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      tracked.release();
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      tracked.release();
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * SIGKILL to a child started with `detached: true` and everything it started, like a container
 * runtime killing a task. Does nothing once the child itself has exited.
 */
export function killProcessGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/** A program's `main`: the CLI's argv after the program name, its streams and environment. */
export type CliMain = (argv: readonly string[], io: CliIo) => Promise<number>;

/** Runs `main` in this process with its own captured stdout and stderr and the given environment. */
export async function runCliInProcess(
  main: CliMain,
  argv: readonly string[],
  env: Record<string, string>,
): Promise<CliRun & { code: number }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const code = await main(argv, { stdout, stderr, env });
  // Let the streams hand over what was written last.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: out, stderr: err };
}
