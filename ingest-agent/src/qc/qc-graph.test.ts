import { describe, expect, it } from 'vitest';
import { agentConfigSchema } from '../rules/agent-config.js';
import { picturesChecked, picturesRefuse, QcLogParser, qcOutputArgs } from './qc-graph.js';

const qc = agentConfigSchema.parse({}).qc;

function parse(lines: string[], duration = 10) {
  const parser = new QcLogParser();
  for (const line of lines) parser.line(line);
  return { parser, measurements: parser.finish(duration) };
}

describe('qcOutputArgs', () => {
  it('decodes the picture through a scale-down, blackdetect and freezedetect with the configured thresholds', () => {
    expect(qcOutputArgs('video', qc)).toEqual([
      '-map',
      '0:v:0',
      '-vf',
      "scale=w=-2:h='min(360,ih)':flags=fast_bilinear,blackdetect=d=1:pix_th=0.1,freezedetect=n=-50dB:d=2",
      '-f',
      'null',
      '-',
    ]);
  });

  it('decodes the sound once through silencedetect, ebur128 with true peak and per-frame astats', () => {
    const args = qcOutputArgs('audio', { ...qc, silenceMinSeconds: 1.5, clippingPeakDbfs: -0.3 });
    expect(args.slice(0, 3)).toEqual(['-map', '0:a:0', '-af']);
    const chain = args[3]!.split(',');
    expect(chain[0]).toBe('silencedetect=n=-50dB:d=1.5');
    expect(chain[1]).toBe('ebur128=peak=true:framelog=verbose');
    expect(chain[3]).toContain('Peak_level:value=-0.3:function=greater');
  });
});

describe('QcLogParser', () => {
  it('reads black, frozen and silent stretches, closing open ones at the end of the file', () => {
    const { measurements } = parse([
      '[blackdetect @ 0x55d1] [info] black_start:0 black_end:3.2 black_duration:3.2',
      '[freezedetect @ 0x55d2] [info] lavfi.freezedetect.freeze_start: 4.04',
      '[freezedetect @ 0x55d2] [info] lavfi.freezedetect.freeze_duration: 2.5',
      '[freezedetect @ 0x55d2] [info] lavfi.freezedetect.freeze_end: 6.54',
      '[freezedetect @ 0x55d2] [info] lavfi.freezedetect.freeze_start: 8',
      '[silencedetect @ 0x55d3] [info] silence_start: 2',
      '[silencedetect @ 0x55d3] [info] silence_end: 5.00002 | silence_duration: 3.00002',
      '[silencedetect @ 0x55d3] [info] silence_start: 9.5',
    ]);
    expect(measurements.black).toEqual([{ start: 0, end: 3.2 }]);
    expect(measurements.freeze).toEqual([
      { start: 4.04, end: 6.54 },
      { start: 8, end: 10 },
    ]);
    expect(measurements.silence).toEqual([
      { start: 2, end: 5.00002 },
      { start: 9.5, end: 10 },
    ]);
  });

  it("takes loudness from ebur128's last summary and counts frames at full scale from their times", () => {
    const summary = (lufs: string, peak: string) => [
      '[Parsed_ebur128_1 @ 0x55a7] [info] Summary:',
      '',
      '  Integrated loudness:',
      `    I:         ${lufs} LUFS`,
      '    Threshold: -33.1 LUFS',
      '  True peak:',
      `    Peak:       ${peak} dBFS`,
    ];
    const { measurements } = parse([
      ...summary('-70.0', '-inf'),
      '[Parsed_ametadata_5 @ 0x55a7] [info] frame:12   pts:13824   pts_time:0.313469',
      '[Parsed_ametadata_5 @ 0x55a7] [info] lavfi.astats.Overall.Peak_level=-0.01',
      '[Parsed_ametadata_5 @ 0x55a7] [info] frame:40   pts:46080   pts_time:1.04490',
      '[Parsed_ametadata_5 @ 0x55a7] [info] lavfi.astats.Overall.Peak_level=0.2',
      ...summary('-23.4', '-3.2'),
    ]);
    expect(measurements).toMatchObject({
      integratedLufs: -23.4,
      truePeakDbtp: -3.2,
      clippedPlaces: 2,
      firstClippedSeconds: 0.313469,
    });
    const silent = parse(summary('-70.0', '-inf')).measurements;
    expect(silent.truePeakDbtp).toBe(Number.NEGATIVE_INFINITY);
  });

  it('keeps warnings and errors apart, without their tags, and never reads them as measurements', () => {
    const { parser, measurements } = parse([
      '[mp3 @ 0x5611] [warning] Estimating duration from bitrate, this may be inaccurate',
      '[error] silence_start: 1',
      '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5612] [error] stream 0, offset 0x30: partial file',
    ]);
    expect(parser.problems).toEqual([
      'Estimating duration from bitrate, this may be inaccurate',
      'silence_start: 1',
      'stream 0, offset 0x30: partial file',
    ]);
    expect(measurements.silence).toEqual([]);
  });
});

describe('when the pictures are decoded', () => {
  it('decodes them beside the upload unless black or freeze refuses, and not at all when both are off', () => {
    expect([picturesChecked(qc), picturesRefuse(qc)]).toEqual([true, false]);
    expect(picturesRefuse({ ...qc, freeze: 'refuse' })).toBe(true);
    expect(picturesRefuse({ ...qc, black: 'refuse', enabled: false })).toBe(false);
    // Silence or clipping refusing says nothing about pictures.
    expect(picturesRefuse({ ...qc, silent: 'refuse', clipping: 'refuse' })).toBe(false);
    expect(picturesChecked({ ...qc, black: 'off', freeze: 'off' })).toBe(false);
    expect(picturesChecked({ ...qc, black: 'off' })).toBe(true);
  });
});
