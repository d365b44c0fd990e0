/**
 * Field names whose values are secrets wherever they appear in a log record. pino redacts by path,
 * so each name is listed at the top level and a few levels down (`err.config.apiKey`).
 */
export const SECRET_FIELDS = [
  'apiKey',
  'readOnlyApiKey',
  'tokenKey',
  'accessKey',
  'AccessKey',
  'secretAccessKey',
  'sessionToken',
  'password',
  'composerApiToken',
  'databaseUrl',
  'BUNNY_STREAM_API_KEY',
  'BUNNY_STREAM_READ_ONLY_API_KEY',
  'BUNNY_STREAM_TOKEN_KEY',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'COMPOSER_API_TOKEN',
  'DATABASE_URL',
] as const;

/** HTTP headers that carry credentials: Bunny's `AccessKey`, bearer tokens, cookies, AWS session tokens. */
export const SECRET_HEADERS = [
  'authorization',
  'Authorization',
  'AccessKey',
  'accesskey',
  'cookie',
  'Cookie',
  'set-cookie',
  'x-amz-security-token',
  'X-Amz-Security-Token',
  'x-api-key',
] as const;

const DEPTHS = 4;

function atAnyDepth(path: string): string[] {
  return Array.from({ length: DEPTHS }, (_, depth) => `${'*.'.repeat(depth)}${path}`);
}

function property(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/** The pino `redact.paths`: secret fields up to 3 levels deep, secret headers of `headers`, `req.headers`, `err.response.headers` … */
export function redactPaths(): string[] {
  return [
    ...SECRET_FIELDS.flatMap((field) => atAnyDepth(field)),
    ...SECRET_HEADERS.flatMap((header) => atAnyDepth(`headers${property(header)}`)),
  ];
}
