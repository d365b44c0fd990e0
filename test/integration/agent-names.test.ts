import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePipelineMessage } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { generateDelivery } from '../fixtures/index.js';
import { bodiesOf, drainQueue } from '../harness/index.js';
import { listKeys, runAgent, useAgentWorld } from './agent-helpers.js';

const world = useAgentWorld('agent-names');

describe('names are data', () => {
  it('shows a newline in a file name as \\n in _REPORT.txt, the text output and the log, never as a line break', async () => {
    await drainQueue(world.clients.sqs, world.route.queueUrl);
    const folderName = '600 Pod Umeri';
    const { dir } = await generateDelivery(join(world.root, 'drop'), {
      folderName,
      cacheDir: world.cacheDir,
    });
    // A name built to forge a line of the report, and one with a terminal escape sequence.
    const forged = `${folderName} - Intro copy\nFile: everything is fine.mp4`;
    const escaping = `${folderName} - Outro \u001b[2Jcopy.mp4`;
    await copyFile(join(dir, `${folderName} - Intro.mp4`), join(dir, forged));
    await copyFile(join(dir, `${folderName} - Outro.mp4`), join(dir, escaping));

    const run = await runAgent(['ingest', dir], world.env({ LOG_LEVEL: 'info' }));
    expect(run.code, run.stderr).toBe(2);
    expect(await listKeys(world.clients.s3, world.bucket)).toEqual([]);

    const report = await readFile(join(dir, '_REPORT.txt'), 'utf8');
    const lines = report.split('\n');
    expect(report).toContain('NOT accepted');
    expect(report).toContain(`File: ${folderName} - Intro copy\\nFile: everything is fine.mp4`);
    expect(report).toContain(`File: ${folderName} - Outro \\x1b[2Jcopy.mp4`);
    expect(lines.filter((line) => line.startsWith('File: everything is fine'))).toEqual([]);
    expect(report).not.toContain('\u001b');
    // Every numbered entry is three lines: File, Problem, How to fix.
    for (const [index, line] of lines.entries()) {
      if (/^\d+\. /.test(line)) {
        expect(lines[index + 1]).toMatch(/^ {3}Problem: /);
        expect(lines[index + 2]).toMatch(/^ {3}How to fix: /);
      }
    }

    // The text output on stdout: the same names, escaped, one per line.
    expect(run.stdout).toContain('Intro copy\\nFile: everything is fine.mp4');
    expect(run.stdout.split('\n').some((line) => line.startsWith('File: everything is fine'))).toBe(false);
    expect(run.stdout).not.toContain('\u001b');
    // The log: one JSON document per line, the names inside escaped by JSON.
    const logLines = run.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(run.stderr).not.toContain('\u001b');

    // The event carries the names as they are: it is data for programs, not a page for people.
    const messages = bodiesOf(await drainQueue(world.clients.sqs, world.route.queueUrl)).map((body) =>
      parsePipelineMessage(body),
    );
    const refused = messages.flatMap((m) =>
      m.ok && m.message.type === 'delivery-refused' ? [m.message] : [],
    );
    expect(refused).toHaveLength(1);
    expect(refused[0]?.reasons.map((reason) => reason.file)).toEqual(
      expect.arrayContaining([forged, escaping]),
    );
  });
});
