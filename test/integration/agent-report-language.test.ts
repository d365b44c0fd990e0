import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parsePipelineMessage } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { type DeliveryOptions, generateDelivery, TINY_MEDIA } from '../fixtures/index.js';
import { AGENT_BIN, bodiesOf, drainQueue, runCliProcess } from '../harness/index.js';
import { listKeys, useAgentWorld } from './agent-helpers.js';

const world = useAgentWorld('agent-report-language');

/** A delivery whose right counting voice-over is empty: refused for that file and the missing voice. */
const ENGLISH_PROBLEMS = [
  'the file is empty (0 bytes)',
  'there is no right side (Dreapta) voice-over in language "ro"',
];

/** The smallest media that still makes a whole exercise: the test reads reports, not pictures. */
const media = (folderName: string): DeliveryOptions => ({
  ...TINY_MEDIA,
  speech: false,
  folderName,
  cacheDir: world.cacheDir,
});

/** The built agent, as an operator starts it, with a config that sets the report language. */
async function ingest(dir: string, language: 'ro' | 'en') {
  const config = join(world.root, `agent.${language}.json`);
  await writeFile(
    config,
    JSON.stringify({
      reportLanguage: language,
      manifestDefaults: { counts_per_audio_master: TINY_MEDIA.countsPerMaster },
    }),
  );
  const run = await runCliProcess(
    process.execPath,
    [AGENT_BIN, 'ingest', dir, '--config', config, '--json'],
    {
      cwd: world.root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...world.env() },
      label: `exercise-agent ingest (${language})`,
      timeoutMs: 120_000,
    },
  );
  return { ...run, result: JSON.parse(run.stdout) as { status: string; rejected: { problem: string }[] } };
}

describe('the report language', () => {
  it('refuses in the team’s language while the CLI and the event stay English', async () => {
    await drainQueue(world.clients.sqs, world.route.queueUrl);
    const reports: Record<string, string> = {};
    for (const language of ['ro', 'en'] as const) {
      const folderName = `300 Refuz ${language}`;
      const { dir } = await generateDelivery(join(world.root, `refused-${language}`), {
        ...media(folderName),
        broken: ['zero-byte'],
      });
      const run = await ingest(dir, language);
      expect(run.code, run.stderr).toBe(2);
      expect(run.result.rejected.map((reason) => reason.problem)).toEqual(ENGLISH_PROBLEMS);
      reports[language] = await readFile(join(dir, '_REPORT.txt'), 'utf8');
    }
    const emptyFile = (language: string) => `300 Refuz ${language} 1-10 Dreapta.mp3`;
    expect(reports.ro).toBe(
      [
        'Această livrare NU a fost acceptată. Nu s-a încărcat nimic pentru exercițiul „refuz-ro”.',
        'Rezolvați problemele de mai jos. Agentul verifică din nou folderul imediat ce se schimbă ceva în el.',
        '',
        `1. Fișier: ${emptyFile('ro')}`,
        '   Problema: fișierul este gol (0 octeți)',
        '   Ce trebuie făcut: Copiați din nou fișierul în folder',
        '',
        '2. Folderul în ansamblu',
        '   Problema: lipsește vocea pentru partea dreaptă (Dreapta) în limba „ro”',
        '   Ce trebuie făcut: Adăugați înregistrarea numărătorii (1-10) pentru partea dreaptă (Dreapta), ca .mp3',
        '',
      ].join('\n'),
    );
    expect(reports.en).toBe(
      [
        'This delivery was NOT accepted. Nothing was uploaded for exercise "refuz-en".',
        'Fix the problems below. The agent looks at the folder again as soon as something in it changes.',
        '',
        `1. File: ${emptyFile('en')}`,
        '   Problem: the file is empty (0 bytes)',
        '   How to fix: Copy the file into the folder again',
        '',
        '2. The folder as a whole',
        '   Problem: there is no right side (Dreapta) voice-over in language "ro"',
        '   How to fix: Add the counting recording (1-10) for the right side (Dreapta) as .mp3',
        '',
      ].join('\n'),
    );
    expect(await listKeys(world.clients.s3, world.bucket)).toEqual([]);

    // Operators read the events: English, whatever the team's report language.
    const refused = bodiesOf(await drainQueue(world.clients.sqs, world.route.queueUrl))
      .map((body) => parsePipelineMessage(body))
      .flatMap((event) => (event.ok && event.message.type === 'delivery-refused' ? [event.message] : []));
    expect(refused.map((event) => [event.delivery, event.reasons.map((reason) => reason.problem)])).toEqual([
      ['300 Refuz ro', ENGLISH_PROBLEMS],
      ['300 Refuz en', ENGLISH_PROBLEMS],
    ]);
    expect(refused[0]?.reasons[0]).toEqual({
      file: emptyFile('ro'),
      problem: 'the file is empty (0 bytes)',
      fix: 'Copy the file into the folder again',
    });
  });

  it('summarises an accepted delivery in the team’s language', async () => {
    const reports: Record<string, string[]> = {};
    for (const language of ['ro', 'en'] as const) {
      const folderName = `301 Livrare ${language}`;
      const drop = join(world.root, `accepted-${language}`);
      const { dir } = await generateDelivery(drop, media(folderName));
      const run = await ingest(dir, language);
      expect(run.code, run.stderr).toBe(0);
      expect(run.result.status).toBe('done');
      const report = await readFile(join(drop, 'processed', folderName, '_REPORT.txt'), 'utf8');
      reports[language] = report.split('\n');
    }
    // The first line names the exercise; the others stand among the report's lines.
    const expected = {
      ro: [
        'Exercițiul „livrare-ro” a fost livrat.',
        'Redenumite (7):',
        '  301 Livrare ro 5 Stanga.mp4  ->  rep-left-video-1.mp4',
        'Voce extrasă din video (3):',
        'Încărcate (11):',
        '  audio/ro/intro-vo-1.mp3',
      ],
      en: [
        'Exercise "livrare-en" was delivered.',
        'Renamed (7):',
        '  301 Livrare en 5 Stanga.mp4  ->  rep-left-video-1.mp4',
        'Voice-over taken from the video (3):',
        'Uploaded (11):',
      ],
    };
    for (const [language, [first, ...among]] of Object.entries(expected)) {
      expect(reports[language]?.[0]).toBe(first);
      expect(reports[language]).toEqual(expect.arrayContaining(among));
    }
  });
});
