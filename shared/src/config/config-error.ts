import { PipelineError } from '../domain/errors.js';

/**
 * A setting from the environment is missing or malformed. The message is always ONE line that names
 * every offending variable and what it expects, so a program can print it and exit; it never contains
 * the value of a secret variable.
 */
export class ConfigError extends PipelineError {
  /** Names of the offending environment variables, in the order they are documented. */
  readonly variables: readonly string[];

  constructor(problems: readonly { variable: string; message: string }[]) {
    super(problems.map((problem) => problem.message).join('; '), { code: 'CONFIG_INVALID' });
    this.variables = problems.map((problem) => problem.variable);
  }
}
