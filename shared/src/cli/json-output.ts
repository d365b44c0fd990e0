/** `--json`: exactly one document on stdout, indented, ending with a newline. */
export function writeJson(stream: NodeJS.WritableStream, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** One reason a command refused its input: the field (flag, argument, recipe path) and what is wrong. */
export interface JsonReason {
  field: string;
  message: string;
}

/**
 * The JSON document of a command that did not succeed, the same in both programs:
 * `{error: {code, message, reasons?}}` (`INPUT_REFUSED` with reasons for exit 2).
 */
export function writeJsonError(
  stream: NodeJS.WritableStream,
  error: { code: string; message: string; reasons?: readonly JsonReason[] },
): void {
  writeJson(stream, {
    error: {
      code: error.code,
      message: error.message,
      ...(error.reasons === undefined ? {} : { reasons: error.reasons }),
    },
  });
}
