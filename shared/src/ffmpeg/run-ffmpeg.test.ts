import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { useTempDir } from '@exercise-pipeline/test/harness';
import { describe, expect, it } from 'vitest';
import { FfmpegError } from './ffmpeg-error.js';
import { runFfmpeg } from './run-ffmpeg.js';

const temp = useTempDir('run-ffmpeg');

async function failure(promise: Promise<unknown>): Promise<FfmpegError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (error instanceof FfmpegError) return error;
  throw new Error(`expected an FfmpegError, got ${String(error)}`);
}

describe('runFfmpeg', () => {
  it('writes the output file and reports increasing progress times', async () => {
    const times: number[] = [];
    const out = join(temp.path, 'progress.mp4');
    const { stderr } = await runFfmpeg(
      [
        '-stats_period',
        '0.1',
        '-re',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=64x48:rate=25:duration=1',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-y',
        out,
      ],
      { timeoutMs: 20_000, onProgress: (progress) => times.push(progress.outTimeSeconds) },
    );
    expect(stderr).toContain('Output #0, mp4');
    expect(times.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < times.length; i += 1) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    expect(times.at(-1)!).toBeCloseTo(1, 0);
  });

  it.runIf(process.platform === 'linux')(
    'runs a process asked to be nicer at that much lower priority, threads included',
    async () => {
      // Every thread of this process's ffmpeg children, read from /proc while they run.
      const childNiceness = (): number[] =>
        readdirSync('/proc')
          .filter((entry) => /^\d+$/.test(entry))
          .flatMap((pid) => {
            try {
              const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
              const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
              if (!stat.includes('(ffmpeg)') || Number(fields[1]) !== process.pid) return [];
              return readdirSync(`/proc/${pid}/task`).map((tid) => {
                const task = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
                return Number(task.slice(task.lastIndexOf(')') + 2).split(' ')[16]);
              });
            } catch {
              return []; // ended meanwhile
            }
          });
      const encode = (niceness?: number) =>
        runFfmpeg(
          [
            ...['-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=1.5'],
            ...['-c:v', 'libx264', '-preset', 'ultrafast', '-threads', '2', '-f', 'null', '-'],
          ],
          { timeoutMs: 30_000, ...(niceness === undefined ? {} : { niceness }) },
        );
      const own = getPriority();
      for (const [asked, expected] of [
        [undefined, own],
        [7, Math.min(19, own + 7)],
      ] as const) {
        const run = encode(asked);
        await new Promise((resolve) => setTimeout(resolve, 700));
        const seen = childNiceness();
        await run;
        expect(seen.length, 'ffmpeg threads seen').toBeGreaterThan(1);
        expect(new Set(seen)).toEqual(new Set([expected]));
      }
    },
  );

  it('kills a job that runs past its timeout and says so', async () => {
    const started = Date.now();
    const error = await failure(
      runFfmpeg(['-re', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25:duration=30', '-f', 'null', '-'], {
        timeoutMs: 500,
      }),
    );
    expect(error.timedOut).toBe(true);
    expect(error.code).toBe('FFMPEG_FAILED');
    expect(error.message).toMatch(/^ffmpeg timed out after 500 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 300);
    const error = await failure(
      runFfmpeg(['-re', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=25:duration=30', '-f', 'null', '-'], {
        signal: controller.signal,
      }),
    );
    expect(error.code).toBe('FFMPEG_ABORTED');
    expect((error.cause as Error).message).toBe('shutting down');
  });

  it('carries the command and the stderr tail when an input is missing', async () => {
    const missing = join(temp.path, 'missing clip.mp4');
    const error = await failure(runFfmpeg(['-i', missing, '-f', 'null', '-']));
    expect(error.code).toBe('FFMPEG_FAILED');
    expect(error.exitCode).not.toBe(0);
    expect(error.timedOut).toBe(false);
    expect(error.command).toBe(
      `ffmpeg -hide_banner -nostdin -nostats -protocol_whitelist file,pipe -i '${missing}' -f null -`,
    );
    expect(error.stderrTail).toContain('No such file or directory');
    expect(error.message).toContain('No such file or directory');
  });

  it('keeps a playlist from reaching the network through the protocol whitelist', async () => {
    const playlist = join(temp.path, 'remote.m3u8');
    writeFileSync(
      playlist,
      '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n',
    );
    const error = await failure(runFfmpeg(['-i', playlist, '-f', 'null', '-'], { timeoutMs: 20_000 }));
    expect(error.stderrTail).toContain("Protocol 'http' not on whitelist 'file,pipe'");
  });

  it('refuses an http input before spawning anything', async () => {
    let requests = 0;
    const server = createServer((_request, response) => {
      requests += 1;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const error = await failure(runFfmpeg(['-i', `http://127.0.0.1:${port}/x.mp4`, '-f', 'null', '-']));
      expect(error.code).toBe('FFMPEG_INPUT_REFUSED');
      expect(error.message).toContain('"http:" protocol');
      expect(error.stderrTail).toBe('');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(requests).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says how to install ffmpeg when it is not on PATH', async () => {
    const path = process.env.PATH;
    process.env.PATH = join(temp.path, 'no-such-bin');
    try {
      const error = await failure(runFfmpeg(['-version']));
      expect(error.code).toBe('FFMPEG_NOT_FOUND');
      expect(error.message).toBe('ffmpeg not found on PATH — install it (Debian: apt-get install -y ffmpeg)');
    } finally {
      process.env.PATH = path;
    }
  });
});
