/** Where a command writes: stdout for results (`--json` documents), stderr for logs and messages. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export interface CliCommand {
  /** One line for the usage text. */
  summary: string;
  /** Resolves with the exit code: 0 done, 2 input refused (with reasons), 1 failure. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** The exit codes every command of both programs keeps to. */
export const EXIT = { done: 0, failure: 1, refused: 2 } as const;
