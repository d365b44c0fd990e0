import { type ProbeResult, parseManifest, type Slot } from '@exercise-pipeline/shared';
import { describe, expect, it } from 'vitest';
import { reasonIn } from '../plan/refusal.js';
import { checkBundle } from './check-bundle.js';
import { checkMedia } from './check-media.js';
import type { MediaFile, ProbedFile } from './media-file.js';

const manifest = (() => {
  const parsed = parseManifest({ exercise: 'squat', languages: ['ro'] });
  if (!parsed.ok) throw new Error('fixture manifest invalid');
  return parsed.manifest;
})();

function video(slot: Slot, seconds: number, size = { width: 320, height: 180 }, variant = 1): ProbedFile {
  const file: MediaFile = {
    name: `${slot} ${variant}.mp4`,
    target: `${slot}-video-${variant}.mp4`,
    kind: 'video',
    slot,
    variant,
    language: 'ro',
    ext: 'mp4',
    extractsVoiceOver: false,
  };
  const probe: ProbeResult = {
    formatName: 'mov,mp4,m4a,3gp,3g2,mj2',
    durationSeconds: seconds,
    sizeBytes: 1000,
    video: {
      codec: 'h264',
      ...size,
      pixelFormat: 'yuv420p',
      frameRate: '25/1',
      fps: 25,
      timeBase: '1/12800',
    },
  };
  return { file, probe };
}

function voiceOver(slot: Slot, seconds: number): ProbedFile {
  const file: MediaFile = {
    name: `${slot}.mp3`,
    target: `audio/ro/${slot}-vo-1.mp3`,
    kind: 'voice-over',
    slot,
    variant: 1,
    language: 'ro',
    ext: 'mp3',
    extractsVoiceOver: false,
  };
  return {
    file,
    probe: {
      formatName: 'mp3',
      durationSeconds: seconds,
      sizeBytes: 100,
      audio: { codec: 'mp3', sampleRate: 44100, channels: 1 },
    },
  };
}

const framingVo = (['intro', 'pauza', 'outro'] as const).map((slot) => ({
  target: `audio/ro/${slot}-vo-1.mp3`,
  slot,
  language: 'ro',
  variant: 1,
}));

function complete(): ProbedFile[] {
  return [
    video('intro', 3),
    video('pauza', 3),
    video('outro', 3),
    video('rep-left', 5),
    video('rep-right', 5),
    voiceOver('rep-left', 20),
    voiceOver('rep-right', 20),
  ];
}

describe('checkBundle', () => {
  it('accepts a complete bundle with identical videos', () => {
    const result = checkBundle({ manifest, probed: complete(), extracted: framingVo });
    expect(result.refusals).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.profile).toMatchObject({ width: 320, height: 180, frameRate: '25/1' });
  });

  it('names a missing slot and a missing voice-over', () => {
    const probed = complete().filter(
      (p) => p.file.slot !== 'outro' && p.file.target !== 'audio/ro/rep-right-vo-1.mp3',
    );
    const result = checkBundle({ manifest, probed, extracted: framingVo });
    expect(result.refusals.map((r) => r.problem)).toEqual([
      'there is no outro video',
      'there is no right side (Dreapta) voice-over in language "ro"',
    ]);
  });

  it('refuses a counting master too short for the rep videos’ pace', () => {
    const probed = complete().map((p) =>
      p.file.target === 'audio/ro/rep-left-vo-1.mp3' ? voiceOver('rep-left', 12) : p,
    );
    const result = checkBundle({ manifest, probed, extracted: framingVo });
    expect(result.refusals).toHaveLength(1);
    expect(result.refusals[0]).toMatchObject({ file: 'rep-left.mp3' });
    expect(result.refusals[0]?.problem).toContain('need 20.0 s');
    // Romanian writes its decimals with a comma.
    expect(reasonIn(result.refusals[0]!, 'ro').problem).toContain('au nevoie de 20,0 s');
  });

  it('warns about the one video that differs from the rest', () => {
    const probed = complete().map((p) =>
      p.file.slot === 'pauza' ? video('pauza', 3, { width: 640, height: 360 }) : p,
    );
    const result = checkBundle({ manifest, probed, extracted: framingVo });
    expect(result.refusals).toEqual([]);
    expect(result.mismatched.map((f) => f.target)).toEqual(['pauza-video-1.mp4']);
    expect(result.warnings[0]?.problem).toContain('640x360');
  });
});

describe('checkMedia', () => {
  const allowed = { video: ['mp4'], 'voice-over': ['mp3'] };

  it('refuses an unreadable file, a fake container and a silent framing video used for its voice-over', () => {
    const unreadable = { file: video('intro', 3).file, error: 'moov atom not found' };
    expect(checkMedia(unreadable, allowed)[0]?.problem).toContain('moov atom not found');
    const fake = voiceOver('rep-left', 20);
    fake.probe = { formatName: 'tty', durationSeconds: 1, sizeBytes: 10 };
    expect(checkMedia(fake, allowed)[0]?.problem).toContain('not a real .mp3');
    const silent = video('intro', 3);
    silent.file.extractsVoiceOver = true;
    expect(checkMedia(silent, allowed).map((r) => r.problem)).toEqual([
      'the video has no sound, so the intro voice-over cannot be taken from it',
    ]);
  });

  it('accepts a healthy video', () => {
    expect(checkMedia(video('rep-left', 5), allowed)).toEqual([]);
  });
});
