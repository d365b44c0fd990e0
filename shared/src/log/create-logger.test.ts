import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { useTempDir } from '@exercise-pipeline/test/harness';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/config-error.js';
import { type CreateLoggerOptions, createLogger } from './create-logger.js';

function capture(options: CreateLoggerOptions = {}) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ ...options, destination });
  return {
    logger,
    text: () => chunks.join(''),
    records: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
  };
}

const SECRETS = [
  'bunny-KEY-1',
  'aws-SECRET-2',
  'aws-SESSION-3',
  'Bearer TOKEN-4',
  'bunny-HEADER-5',
  'hdr-6',
  'env-KEY-7',
  'env-SECRET-8',
];

describe('createLogger', () => {
  it('redacts secrets at any of the usual places and keeps everything else', () => {
    const { logger, text, records } = capture();
    logger.info(
      {
        apiKey: SECRETS[0],
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRETS[1], sessionToken: SECRETS[2] },
        req: {
          method: 'POST',
          url: '/v1/compose',
          headers: { authorization: SECRETS[3], 'content-type': 'application/json' },
        },
        res: { statusCode: 200, headers: { AccessKey: SECRETS[4] } },
        err: { response: { headers: { accesskey: SECRETS[5] } } },
        env: {
          BUNNY_STREAM_API_KEY: SECRETS[6],
          AWS_SECRET_ACCESS_KEY: SECRETS[7],
          AWS_REGION: 'eu-central-1',
        },
        config: { bunny: { libraryId: '42', apiKey: SECRETS[0] } },
      },
      'request done',
    );
    const output = text();
    for (const secret of SECRETS) expect(output).not.toContain(secret);
    const [record] = records();
    expect(record).toMatchObject({
      msg: 'request done',
      apiKey: '[Redacted]',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: '[Redacted]', sessionToken: '[Redacted]' },
      req: { method: 'POST', headers: { authorization: '[Redacted]', 'content-type': 'application/json' } },
      res: { statusCode: 200, headers: { AccessKey: '[Redacted]' } },
      err: { response: { headers: { accesskey: '[Redacted]' } } },
      env: {
        BUNNY_STREAM_API_KEY: '[Redacted]',
        AWS_SECRET_ACCESS_KEY: '[Redacted]',
        AWS_REGION: 'eu-central-1',
      },
      config: { bunny: { libraryId: '42', apiKey: '[Redacted]' } },
    });
  });

  it('redacts top-level header objects in both spellings', () => {
    const { logger, text } = capture();
    logger.warn({ headers: { Authorization: 'Bearer abc', AccessKey: 'k1' }, accessKey: 'k2' }, 'upload');
    expect(text()).not.toMatch(/abc|k1|k2/);
    expect(text().match(/\[Redacted\]/g)).toHaveLength(3);
  });

  it('writes JSON records with name, level and ISO time at the chosen level', () => {
    const { logger, records } = capture({ name: 'render-consumer', level: 'warn' });
    logger.info('hidden');
    logger.error({ exercise: 'squat' }, 'shown');
    const all = records();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ name: 'render-consumer', level: 50, msg: 'shown', exercise: 'squat' });
    expect(all[0].time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('takes the level from LOG_LEVEL and refuses an unknown one in one line', () => {
    const previous = process.env.LOG_LEVEL;
    try {
      process.env.LOG_LEVEL = 'debug';
      expect(capture().logger.level).toBe('debug');
      process.env.LOG_LEVEL = 'chatty';
      expect(() => capture()).toThrow(ConfigError);
      expect(() => capture()).toThrow(
        /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "chatty"$/,
      );
    } finally {
      if (previous === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = previous;
    }
  });

  it('prints human-readable lines when pretty, still without secrets', async () => {
    const { logger, text } = capture({ pretty: true });
    logger.info({ apiKey: 'pretty-secret' }, 'hello there');
    await new Promise((resolve) => setImmediate(resolve));
    expect(text()).toContain('hello there');
    expect(text()).toContain('[Redacted]');
    expect(text()).not.toContain('pretty-secret');
    expect(() => JSON.parse(text())).toThrow();
  });
});

describe('createLogger default destination', () => {
  const temp = useTempDir('logger');

  it('logs JSON to stderr and nothing to stdout when stderr is not a terminal', () => {
    const script = join(temp.path, 'log.ts');
    writeFileSync(
      script,
      `import { createLogger } from ${JSON.stringify(join(import.meta.dirname, 'index.ts'))};\n` +
        `createLogger({ name: 'agent' }).info({ apiKey: 'k-123' }, 'started');\n`,
    );
    const tsx = join(import.meta.dirname, '../../../node_modules/.bin/tsx');
    const result = spawnSync(tsx, [script], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toMatchObject({ name: 'agent', msg: 'started', apiKey: '[Redacted]' });
  });
});
