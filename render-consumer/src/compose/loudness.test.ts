import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOUDNESS_TARGET,
  loudnessArgs,
  loudnessFromMetadata,
  loudnessGainDb,
  loudnessTargetOf,
  parseLoudnessSummary,
} from './loudness.js';

const target = DEFAULT_LOUDNESS_TARGET;

describe('loudnessGainDb', () => {
  it('brings a loud clip down and a quiet clip up to the target', () => {
    expect(loudnessGainDb({ integratedLufs: -8, truePeakDbtp: -5 }, target)).toBe(-8);
    expect(loudnessGainDb({ integratedLufs: -30, truePeakDbtp: -27 }, target)).toBe(14);
    expect(loudnessGainDb({ integratedLufs: -16, truePeakDbtp: -13 }, target)).toBe(0);
  });

  it('raises a clip no further than its true peak allows (it ends up under the target)', () => {
    // Speech at -30 LUFS peaking at -12 dBTP: +14 dB would peak at +2 dBTP, so +11 dB.
    expect(loudnessGainDb({ integratedLufs: -30, truePeakDbtp: -12 }, target)).toBe(11);
    // Already over the ceiling: turned down until it is under it, even below the target.
    expect(loudnessGainDb({ integratedLufs: -15, truePeakDbtp: 0.5 }, target)).toBe(-1.5);
  });

  it('leaves silence and clips too quiet to measure as they are', () => {
    expect(loudnessGainDb({ integratedLufs: -70, truePeakDbtp: -70 }, target)).toBe(0);
    expect(loudnessGainDb({ integratedLufs: -Infinity, truePeakDbtp: -Infinity }, target)).toBe(0);
    expect(loudnessGainDb({ integratedLufs: Number.NaN, truePeakDbtp: -3 }, target)).toBe(0);
  });

  it('follows a configured target and rounds to hundredths of a dB', () => {
    expect(
      loudnessGainDb({ integratedLufs: -20.004, truePeakDbtp: -30 }, { ...target, integratedLufs: -23 }),
    ).toBe(-3);
    expect(loudnessGainDb({ integratedLufs: -23.456, truePeakDbtp: -30 }, target)).toBe(7.46);
  });
});

describe('loudnessFromMetadata', () => {
  it('reads the two decimals the ingest agent sets', () => {
    expect(loudnessFromMetadata({ 'loudness-lufs': '-23.4', 'true-peak-dbtp': '-3.2' })).toEqual({
      kind: 'valid',
      loudness: { integratedLufs: -23.4, truePeakDbtp: -3.2 },
    });
    expect(loudnessFromMetadata({ 'loudness-lufs': '-70', 'true-peak-dbtp': '+1.5' })).toEqual({
      kind: 'valid',
      loudness: { integratedLufs: -70, truePeakDbtp: 1.5 },
    });
  });

  it('says absent when neither value is there (hand-written bucket, older bundles)', () => {
    expect(loudnessFromMetadata(undefined)).toEqual({ kind: 'absent' });
    expect(loudnessFromMetadata({ 'content-owner': 'studio' })).toEqual({ kind: 'absent' });
  });

  it.each([
    [{ 'loudness-lufs': 'loud', 'true-peak-dbtp': '-3' }, 'loudness-lufs must be a decimal', '"loud"'],
    [{ 'loudness-lufs': '-23', 'true-peak-dbtp': '-1e1' }, 'true-peak-dbtp must be a decimal', '"-1e1"'],
    [{ 'loudness-lufs': '-80', 'true-peak-dbtp': '-3' }, 'between -70 and +5', '"-80"'],
    [{ 'loudness-lufs': '12', 'true-peak-dbtp': '-3' }, 'between -70 and +5', '"12"'],
    [{ 'loudness-lufs': 'NaN', 'true-peak-dbtp': '-3' }, 'loudness-lufs', '"NaN"'],
    [{ 'loudness-lufs': '-Infinity', 'true-peak-dbtp': '-3' }, 'loudness-lufs', '"-Infinity"'],
    [{ 'loudness-lufs': '0x10', 'true-peak-dbtp': '-3' }, 'loudness-lufs', '"0x10"'],
    [{ 'loudness-lufs': '', 'true-peak-dbtp': '-3' }, 'loudness-lufs', '""'],
    [{ 'loudness-lufs': '-23.4' }, 'true-peak-dbtp is missing', ''],
    [{ 'true-peak-dbtp': '-3' }, 'loudness-lufs is missing', ''],
  ])('refuses %j, naming the field and the value', (metadata, field, shown) => {
    const result = loudnessFromMetadata(metadata);
    expect(result.kind).toBe('invalid');
    const problem = result.kind === 'invalid' ? result.problem : '';
    expect(problem).toContain(field);
    expect(problem).toContain(shown);
  });

  it('shortens a long value in its problem', () => {
    const result = loudnessFromMetadata({ 'loudness-lufs': 'x'.repeat(500), 'true-peak-dbtp': '-1' });
    expect(result.kind === 'invalid' && result.problem.length).toBeLessThan(200);
  });
});

describe('parseLoudnessSummary', () => {
  const summary = (i: string, peak: string) =>
    [
      '[Parsed_ebur128_0 @ 0x55] Summary:',
      '',
      '  Integrated loudness:',
      `    I:         ${i} LUFS`,
      '    Threshold: -33.0 LUFS',
      '',
      '  Loudness range:',
      '    LRA:         0.0 LU',
      '',
      '  True peak:',
      `    Peak:       ${peak} dBFS`,
    ].join('\n');

  it('reads the integrated loudness and true peak of the last summary', () => {
    expect(parseLoudnessSummary(`noise\n${summary('-23.0', '-3.2')}\n`)).toEqual({
      integratedLufs: -23,
      truePeakDbtp: -3.2,
    });
    expect(parseLoudnessSummary(`${summary('-1.0', '1.0')}\n${summary('-9.2', '-5.4')}`)).toEqual({
      integratedLufs: -9.2,
      truePeakDbtp: -5.4,
    });
  });

  it('floors silence at -70 (ebur128 prints -inf for its peak)', () => {
    expect(parseLoudnessSummary(summary('-70.0', '-inf'))).toEqual({
      integratedLufs: -70,
      truePeakDbtp: -70,
    });
  });

  it('gives nothing for output without a complete summary', () => {
    expect(parseLoudnessSummary('')).toBeUndefined();
    expect(parseLoudnessSummary(summary('-23.0', '-3.2').split('True peak')[0]!)).toBeUndefined();
  });
});

describe('loudnessArgs', () => {
  it('opens the file only as its container, from a local path, and writes nothing', () => {
    const args = loudnessArgs('/cache/ab12.mp3', 'mp3');
    expect(args.slice(0, 7)).toEqual([
      '-f',
      'mp3',
      '-format_whitelist',
      'mp3',
      '-protocol_whitelist',
      'file,pipe',
      '-i',
    ]);
    expect(args[7]).toBe('file:/cache/ab12.mp3');
    expect(args.slice(-3)).toEqual(['-f', 'null', '-']);
    expect(() => loudnessArgs('http://example.com/a.mp3', 'mp3')).toThrow(/absolute local paths/);
  });
});

describe('loudnessTargetOf', () => {
  it('is -16 LUFS with peaks at -1 dBTP unless configured, and off when switched off', () => {
    expect(loudnessTargetOf({})).toEqual({ integratedLufs: -16, truePeakDbtp: -1 });
    expect(loudnessTargetOf({ composeLoudness: true, composeLoudnessTargetLufs: -23 })).toEqual({
      integratedLufs: -23,
      truePeakDbtp: -1,
    });
    expect(loudnessTargetOf({ composeLoudness: false, composeLoudnessTargetLufs: -23 })).toBe(false);
  });
});
