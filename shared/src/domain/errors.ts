/** A field-level problem; `field` is a dotted path such as `sets.1.reps` (`(root)` for the whole value). */
export interface FieldIssue {
  field: string;
  message: string;
}

export interface PipelineErrorOptions {
  /** Stable, machine-readable code, e.g. `RECIPE_INVALID`. */
  code: string;
  /** Whether repeating the same operation later may succeed (network, throttling); default false. */
  retryable?: boolean;
  cause?: unknown;
}

/** Base of every error the pipeline raises on purpose; callers branch on `code`, never on the message. */
export class PipelineError extends Error {
  readonly code: string;
  readonly retryable: boolean;

  constructor(message: string, options: PipelineErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable ?? false;
  }
}

/** `field: message` lines, one per issue, for logs and CLI output. */
export function formatIssues(issues: readonly FieldIssue[]): string {
  return issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
}

/** A part of an S3 key or bundle path (slug, language, slot, variant number) that is not safe to use. */
export class InvalidKeyPartError extends PipelineError {
  /** Which part was refused: `slug`, `language`, `slot` or `variant`. */
  readonly part: string;
  readonly value: unknown;

  constructor(part: string, value: unknown, expected: string) {
    super(`invalid ${part} ${describeValue(value)}: expected ${expected}`, { code: 'KEY_PART_INVALID' });
    this.part = part;
    this.value = value;
  }
}

export class ManifestInvalidError extends PipelineError {
  readonly issues: readonly FieldIssue[];

  /** @param source where the manifest came from (file path or S3 key), named in the message */
  constructor(issues: readonly FieldIssue[], source = 'manifest.json') {
    super(`${source} is invalid: ${formatIssues(issues)}`, { code: 'MANIFEST_INVALID' });
    this.issues = issues;
  }
}

export class RecipeInvalidError extends PipelineError {
  readonly reasons: readonly FieldIssue[];

  constructor(reasons: readonly FieldIssue[]) {
    super(`recipe is invalid: ${formatIssues(reasons)}`, { code: 'RECIPE_INVALID' });
    this.reasons = reasons;
  }
}

/** A queue message or event that cannot be understood; retrying it cannot help. */
export class MessageInvalidError extends PipelineError {
  readonly reason: string;

  constructor(reason: string, options: { cause?: unknown } = {}) {
    super(`message is invalid: ${reason}`, { code: 'MESSAGE_INVALID', cause: options.cause });
    this.reason = reason;
  }
}

/**
 * A short, safe rendering of a value for error messages: strings quoted, long values cut,
 * `undefined` spelled as "nothing" so a missing field reads naturally.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
