import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_BIN, runCliProcess, useTempDir } from '../harness/index.js';

const temp = useTempDir('agent-plan-rules');
const T = '001 Detensionari Lombare';

/** `exercise-agent plan` as an operator runs it: the built program, no AWS needed to plan. */
function plan(args: string[]) {
  return runCliProcess(process.execPath, [AGENT_BIN, 'plan', ...args], {
    cwd: temp.path,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn' },
    label: 'exercise-agent plan',
    timeoutMs: 60_000,
  });
}

describe('agent plan names the rule behind each rename', () => {
  it('shows the keyword word or the regular expression, in text and in --json', async () => {
    // Planning reads names and sizes only, so any bytes stand in for the media.
    const dir = join(temp.path, T);
    await mkdir(dir, { recursive: true });
    for (const name of ['- Intro.mp4', '5 Stânga v2.mp4', '1-20 Stanga EN.mp3', '1-20 Right.mp3'])
      await writeFile(join(dir, `${T} ${name}`), 'x');
    // An expert's regular expression for English voice-over ahead of the keyword naming.
    const config = join(temp.path, 'agent.json');
    await writeFile(
      config,
      JSON.stringify({
        rules: [
          { match: String.raw`\sstanga\s+(?<language>[a-z]{2})\.mp3$`, slot: 'rep-left', kind: 'voice-over' },
        ],
        naming: { words: { intro: ['intro'], 'rep-left': ['stanga'], 'rep-right': ['dreapta', 'right'] } },
      }),
    );

    const text = await plan([dir, '--config', config]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.split('\n').slice(0, 6)).toEqual([
      'Exercise: detensionari-lombare',
      'Rename (4):',
      `  ${T} 1-20 Stanga EN.mp3  ->  audio/en/rep-left-vo-1.mp3  [rule: regex #1]`,
      `  ${T} 1-20 Right.mp3  ->  audio/ro/rep-right-vo-1.mp3  [rule: rep-right (words: right)]`,
      `  ${T} - Intro.mp4  ->  intro-video-1.mp4  [rule: intro (words: intro)]`,
      `  ${T} 5 Stânga v2.mp4  ->  rep-left-video-2.mp4  [rule: rep-left (words: stanga)]`,
    ]);

    const json = await plan([dir, '--config', config, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const document = JSON.parse(json.stdout) as { renames: { from: string; rule: string }[] };
    expect(document.renames.map((rename) => [rename.from, rename.rule])).toEqual([
      [`${T} 1-20 Stanga EN.mp3`, 'regex #1'],
      [`${T} 1-20 Right.mp3`, 'rep-right (words: right)'],
      [`${T} - Intro.mp4`, 'intro (words: intro)'],
      [`${T} 5 Stânga v2.mp4`, 'rep-left (words: stanga)'],
    ]);
  });

  it('refuses a keyword config with a word under two parts, naming the field', async () => {
    const config = join(temp.path, 'bad.json');
    await writeFile(
      config,
      JSON.stringify({ naming: { words: { 'rep-left': ['stanga'], 'rep-right': ['Stânga'] } } }),
    );
    const run = await plan([temp.path, '--config', config]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `${config}: naming.words["rep-right"][0]: "Stânga" is already a word of rep-left (naming.words["rep-left"][0]); a word can name only one part, so remove it from one of them`,
    );
  });
});
