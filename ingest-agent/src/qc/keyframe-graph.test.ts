import { describe, expect, it } from 'vitest';
import { agentConfigSchema } from '../rules/agent-config.js';
import { KeyframeLogParser, keyframeOutputArgs, RegionLogParser, regionPassArgs } from './keyframe-graph.js';

const qc = agentConfigSchema.parse({}).qc;

describe('the keyframe pass', () => {
  it('prints each keyframe through the same scale-down and black threshold, blackdetect at d=0, and scdet', () => {
    expect(keyframeOutputArgs({ ...qc, blackPixelThreshold: 0.2 })).toEqual([
      '-map',
      '0:v:0',
      '-vf',
      "scale=w=-2:h='min(360,ih)':flags=fast_bilinear,blackdetect=d=0:pix_th=0.2,scdet=threshold=100,metadata=mode=print",
      '-f',
      'null',
      '-',
    ]);
  });

  it('reads every keyframe: its exact time, whether it is black, its difference to the one before', () => {
    const parser = new KeyframeLogParser('1/12800');
    const meta = '[Parsed_metadata_3 @ 0x55b9aac3d7c0] [info] ';
    for (const line of [
      `${meta}frame:0    pts:0       pts_time:0`,
      `${meta}lavfi.scd.mafd=0.000`,
      `${meta}lavfi.scd.score=0.000`,
      `${meta}frame:1    pts:12288   pts_time:0.96`,
      `${meta}lavfi.scd.mafd=3.621`,
      `${meta}frame:2    pts:24576   pts_time:1.92`,
      `${meta}lavfi.black_start=1.92`,
      `${meta}lavfi.scd.mafd=41.453`,
      '[blackdetect @ 0x55b9aac3e000] [info] black_start:1.92 black_end:3.84 black_duration:1.92',
      `${meta}frame:3    pts:36864   pts_time:2.88`,
      `${meta}lavfi.scd.mafd=0.000`,
      '[h264 @ 0x55b9aac3f000] [warning] mmco: unref short failure',
      `${meta}frame:4    pts:49152   pts_time:3.84`,
      `${meta}lavfi.black_end=3.84`,
      `${meta}lavfi.scd.mafd=40.934`,
    ]) {
      parser.line(line);
    }
    expect(parser.keyframes).toEqual([
      { time: 0, black: false },
      { time: 0.96, black: false, change: 3.621 },
      { time: 1.92, black: true, change: 41.453 },
      { time: 2.88, black: true, change: 0 },
      { time: 3.84, black: false, change: 40.934 },
    ]);
    expect(parser.problems).toEqual(['mmco: unref short failure']);
  });

  it('takes pts_time when the time base is unknown', () => {
    const parser = new KeyframeLogParser();
    parser.line('[Parsed_metadata_3 @ 0x1] [info] frame:0    pts:1001    pts_time:0.0333667');
    expect(parser.keyframes).toEqual([{ time: 0.0333667, black: false }]);
  });
});

describe('the region pass', () => {
  it('seeks each region to its keyframe, keeps the timestamps and trims a quarter frame around its keyframes', () => {
    const args = regionPassArgs(
      '/in/a.mp4',
      ['-f', 'mov', '-format_whitelist', 'mov,mp4'],
      [{ until: 2 }, { from: 4, until: 6.04 }, { from: 8 }],
      qc,
      0.04,
    );
    const decoder = ['-skip_frame', 'noref', '-skip_loop_filter', 'all', '-flags2', 'fast'];
    const input = ['-f', 'mov', '-format_whitelist', 'mov,mp4', '-i', '/in/a.mp4'];
    const kept = ['-copyts', '-start_at_zero', '-noaccurate_seek'];
    const filters =
      "scale=w=-2:h='min(360,ih)':flags=fast_bilinear,blackdetect=d=1:pix_th=0.1,freezedetect=n=-50dB:d=2";
    expect(args).toEqual([
      ...[...decoder, ...kept, ...input],
      ...[...decoder, ...kept, '-ss', '4.01', ...input],
      ...[...decoder, ...kept, '-ss', '8.01', ...input],
      '-filter_complex',
      [
        `[0:v:0]trim=end=2.01,${filters}[region0]`,
        `[1:v:0]trim=start=3.99:end=6.05,${filters}[region1]`,
        `[2:v:0]trim=start=7.99,${filters}[region2]`,
      ].join(';'),
      ...['-map', '[region0]', '-f', 'null', '-'],
      ...['-map', '[region1]', '-f', 'null', '-'],
      ...['-map', '[region2]', '-f', 'null', '-'],
    ]);
  });

  it("tells the regions' filters apart by address and closes a freeze still open at the end of the file", () => {
    const parser = new RegionLogParser();
    for (const line of [
      '[freezedetect @ 0xa1] [info] lavfi.freezedetect.freeze_start: 4.08',
      '[freezedetect @ 0xb2] [info] lavfi.freezedetect.freeze_start: 12.2',
      '[blackdetect @ 0xb3] [info] black_start:9.2 black_end:10.4 black_duration:1.2',
      '[freezedetect @ 0xa1] [info] lavfi.freezedetect.freeze_duration: 2.48',
      '[freezedetect @ 0xa1] [info] lavfi.freezedetect.freeze_end: 6.56',
      '[blackdetect @ 0xa0] [info] black_start:0 black_end:1.5 black_duration:1.5',
      '[error] Error while decoding stream #1:0: Invalid data found when processing input',
    ]) {
      parser.line(line);
    }
    expect(parser.finish([{ until: 2 }, { from: 3, until: 7 }, { from: 9 }], 14.6)).toEqual({
      black: [
        { start: 0, end: 1.5 },
        { start: 9.2, end: 10.4 },
      ],
      freeze: [
        { start: 4.08, end: 6.56 },
        { start: 12.2, end: 14.6 },
      ],
      silence: [],
      clippedPlaces: 0,
    });
    expect(parser.problems).toEqual([
      'Error while decoding stream #1:0: Invalid data found when processing input',
    ]);
  });
});
