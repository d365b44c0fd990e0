import { mkdir, mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  describeSniffed,
  FfmpegError,
  isContainer,
  MEDIA_CONTAINERS,
  type MediaContainer,
  type ProbeResult,
  sniffContainer,
} from '@exercise-pipeline/shared';
import type { BundleSource } from './bundle-source.js';
import { BundleFileError, ComposeError, MEDIA_CONTAINER_REFUSED } from './errors.js';
import { buildConcatList, buildRenderArgs, type ClipInput, type RenderArgsInput } from './ffmpeg-args.js';
import {
  type Loudness,
  type LoudnessTarget,
  loudnessFromMetadata,
  loudnessGainDb,
  measureLoudness,
} from './loudness.js';
import type { ComposeLogger, MediaRunner } from './media-runner.js';
import { readMp4Durations } from './mp4-durations.js';
import { type ClipFacts, type ProbeCache, probeCacheKey } from './probe-cache.js';
import { copyCompatibility, profileOf, type VideoProfile, videoSecondsOf } from './profile.js';
import { plannedVideoKeys, type TimelinePlan } from './timeline.js';
import { onFrameGrid, type TimedTimeline, timeTimeline } from './timing.js';
import { type RenderDurations, verifyRender } from './verify.js';

export interface ExecuteRenderInput {
  source: BundleSource;
  /** Content tags by relative key, for the probe cache. */
  etags: ReadonlyMap<string, string>;
  plan: TimelinePlan;
  outPath: string;
  runner: MediaRunner;
  probeCache: ProbeCache;
  logger: ComposeLogger;
  /** Bring every voice-over to this loudness; undefined leaves the voice-overs as they are. */
  loudness?: LoudnessTarget | undefined;
  signal?: AbortSignal | undefined;
  /** Limit for the ffmpeg run; default 2 minutes plus 10 s per second of output. */
  ffmpegTimeoutMs?: number;
}

export interface ExecutedRender {
  path: string;
  mode: 'copy' | 'reencode';
  timeline: TimedTimeline;
  /** The durations the output check read from the render. */
  output: RenderDurations;
  /** Why the copy path was not taken (empty in copy mode). */
  differences: string[];
}

export type PrepareRenderInput = Omit<ExecuteRenderInput, 'outPath' | 'signal' | 'ffmpegTimeoutMs'>;

export interface PreparedRender {
  mode: 'copy' | 'reencode';
  timeline: TimedTimeline;
  /** Videos in play order and one voice-over per segment, with the seconds each fills. */
  videos: ClipInput[];
  audio: ClipInput[];
  /** The first clip's profile: what a re-encode converts every clip to. */
  target: VideoProfile;
  /** Why the copy path was not taken (empty in copy mode). */
  differences: string[];
  files: ReadonlyMap<string, InspectedFile>;
}

/**
 * Probes the chosen clips and lays out the timeline: everything a render decides before ffmpeg
 * runs. Throws BundleFileError naming a missing or unreadable file.
 */
export async function prepareRender(input: PrepareRenderInput): Promise<PreparedRender> {
  const { source, plan } = input;
  const videoKeys = plannedVideoKeys(plan);
  const voiceKeys = [...new Set(plan.segments.map((segment) => segment.voiceOver.key))];
  const files = await inspectFiles(input, videoKeys, voiceKeys);

  const clips = playOrder(plan).map((key) => ({
    file: source.describe(key),
    profile: files.get(key)!.profile!,
  }));
  const target = clips[0]!.profile;
  const compatibility = copyCompatibility(clips);
  const mode = compatibility.ok ? 'copy' : 'reencode';
  const differences = compatibility.ok ? [] : compatibility.differences;
  if (!compatibility.ok) {
    input.logger.warn(
      { mode, differences: differences.slice(0, 10), target },
      "the clips differ in format, so the render is re-encoded to the first segment's profile (slower)",
    );
  }
  const seconds = (key: string) => {
    const clipSeconds = videoSecondsOf(files.get(key)!.probe);
    return mode === 'copy' ? clipSeconds : onFrameGrid(clipSeconds, target.fps);
  };
  const timeline = timeTimeline(plan, seconds);
  const videos: ClipInput[] = playOrder(plan).map((key) => ({
    path: files.get(key)!.path,
    seconds: seconds(key),
  }));
  const audio: ClipInput[] = timeline.segments.map((segment) => {
    const file = files.get(segment.voiceOver.key)!;
    const gainDb =
      input.loudness && file.loudness ? loudnessGainDb(file.loudness, input.loudness) : undefined;
    return { path: file.path, seconds: segment.durationSeconds, ...(gainDb ? { gainDb } : {}) };
  });
  return { mode, timeline, videos, audio, target, differences, files };
}

/** The one ffmpeg invocation of a prepared render, writing `outPath` (copy mode reads `concatListPath`). */
export function renderArgsInput(
  prepared: PreparedRender,
  concatListPath: string,
  outPath: string,
): RenderArgsInput {
  const { mode, videos, audio, target } = prepared;
  return { mode, videos, audio, concatListPath, target, outPath };
}

/**
 * Prepares the render, runs the one ffmpeg invocation and checks the result before moving it to
 * `outPath`; a failed render never leaves a file at `outPath`.
 */
export async function executeRender(input: ExecuteRenderInput): Promise<ExecutedRender> {
  const prepared = await prepareRender(input);
  const { mode, timeline, videos, target, differences } = prepared;

  await mkdir(path.dirname(path.resolve(input.outPath)), { recursive: true });
  const outPath = path.resolve(input.outPath);
  const workDir = await mkdtemp(path.join(path.dirname(outPath), '.compose-'));
  try {
    const concatListPath = path.join(workDir, 'videos.ffconcat');
    const partialPath = path.join(workDir, 'render.mp4');
    if (mode === 'copy') await writeFile(concatListPath, buildConcatList(videos));
    const args = buildRenderArgs(renderArgsInput(prepared, concatListPath, partialPath));
    const loudness = input.loudness && {
      targetLufs: input.loudness.integratedLufs,
      gainsDb: prepared.audio.map((clip) => clip.gainDb ?? 0),
    };
    input.logger.info(
      {
        mode,
        segments: timeline.segments.length,
        clips: videos.length,
        seconds: timeline.totalSeconds,
        ...(loudness ? { loudness } : {}),
      },
      'rendering',
    );
    await runRender(input, args, prepared.files, timeline.totalSeconds);
    const output = await verifyRender(
      partialPath,
      { totalSeconds: timeline.totalSeconds, fps: target.fps },
      // Our own MP4 reader first (no ffprobe start-up on every render); ffprobe for anything it
      // cannot read.
      async (p) => (await readMp4Durations(p)) ?? input.runner.probe(p),
    );
    await rename(partialPath, outPath);
    return { path: outPath, mode, timeline, output, differences };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

export interface InspectedFile {
  key: string;
  path: string;
  probe: ProbeResult;
  profile?: VideoProfile;
  /** Voice-overs of a loudness-normalised render. */
  loudness?: Loudness;
}

/**
 * One probe, then for a voice-over of a normalised render its loudness. Only a file the probe found
 * to be the right container with audio is measured; any other is refused by the caller with the
 * probe's reason.
 */
async function loadFacts(
  input: PrepareRenderInput,
  key: string,
  file: string,
  container: MediaContainer,
  withLoudness: boolean,
): Promise<ClipFacts> {
  const media = await input.runner.probe(file, { container });
  if (!withLoudness || !media.audio || !isContainer(media.formatName, container)) return { media };
  return { media, loudness: await voiceOverLoudness(input, key, file) };
}

/**
 * The loudness the object's metadata states (set by the ingest agent) when it is there and sane,
 * else measured here with ebur128; either way the probe cache keeps it, so it costs once per file
 * version. Metadata that cannot be read or believed is logged and measured past, never fatal.
 */
async function voiceOverLoudness(input: PrepareRenderInput, key: string, file: string): Promise<Loudness> {
  const { source, logger } = input;
  const metadata = await source.metadata?.(key).catch((error: unknown) => {
    logger.warn(
      { file: source.describe(key), err: error instanceof Error ? error.message : String(error) },
      'could not read the voice-over metadata; measuring its loudness instead',
    );
    return undefined;
  });
  const stated = loudnessFromMetadata(metadata);
  if (stated.kind === 'valid') return stated.loudness;
  if (stated.kind === 'invalid') {
    logger.warn(
      { file: source.describe(key), problem: stated.problem },
      'ignoring the voice-over loudness metadata; measuring the file instead',
    );
  }
  const measured = await measureLoudness(input.runner, file, 'mp3');
  logger.info({ file: source.describe(key), ...measured }, 'measured voice-over loudness');
  return measured;
}

/**
 * Fetches (for S3) and probes every file in parallel, naming the bundle file in any failure. Bundle
 * files are untrusted (the bucket is also written by hand): each must really be the container its
 * slot needs (MP4/MOV videos, MP3 voice-overs) before any ffmpeg opens it for the render, and it is
 * probed only as that container, so a playlist or concat script named `….mp4` never gets to point
 * ffmpeg at another file. A mismatch is MEDIA_CONTAINER_REFUSED, which no retry can fix.
 */
async function inspectFiles(
  input: PrepareRenderInput,
  videoKeys: readonly string[],
  voiceKeys: readonly string[],
): Promise<Map<string, InspectedFile>> {
  const { source } = input;
  const probeSlot = limiter(PROBE_CONCURRENCY);
  const inspect = async (key: string, kind: 'video' | 'voice-over'): Promise<InspectedFile> => {
    const file = source.describe(key);
    const localPath = await source.localPath(key);
    const container: MediaContainer = kind === 'video' ? 'mp4' : 'mp3';
    const expected = MEDIA_CONTAINERS[container].label;
    const sniffed = sniffContainer(await readHead(localPath));
    if (sniffed !== container && sniffed !== 'other') {
      throw new BundleFileError(
        file,
        `is ${describeSniffed(sniffed)}, not an ${expected}`,
        replaceFix(kind),
        {
          code: MEDIA_CONTAINER_REFUSED,
        },
      );
    }
    let facts: ClipFacts;
    const withLoudness = kind === 'voice-over' && input.loudness !== undefined;
    try {
      const cacheKey = probeCacheKey(file, input.etags.get(key), withLoudness);
      facts = await probeSlot(() =>
        input.probeCache.probe(cacheKey, () => loadFacts(input, key, localPath, container, withLoudness)),
      );
    } catch (error) {
      // ffprobe ran and refused bytes that do not even start like the container: they are something
      // else, and never will be that. A file that starts right but breaks later is damaged (its own
      // code); a probe that timed out, was stopped or could not start says nothing about the file.
      const refused =
        sniffed !== container &&
        error instanceof FfmpegError &&
        error.code === 'FFMPEG_FAILED' &&
        !error.timedOut;
      throw new BundleFileError(
        file,
        refused
          ? `cannot be read as media (expected an ${expected}: ${firstLine(error)})`
          : `cannot be read as media (${firstLine(error)})`,
        replaceFix(kind),
        { cause: error, ...(refused ? { code: MEDIA_CONTAINER_REFUSED } : {}) },
      );
    }
    const probe = facts.media;
    if (!isContainer(probe.formatName, container)) {
      throw new BundleFileError(file, `is "${probe.formatName}", not an ${expected}`, replaceFix(kind), {
        code: MEDIA_CONTAINER_REFUSED,
      });
    }
    if (kind === 'voice-over') {
      if (!probe.audio) throw new BundleFileError(file, 'has no audio stream', replaceFix(kind));
      return { key, path: localPath, probe, ...(facts.loudness ? { loudness: facts.loudness } : {}) };
    }
    const profile = profileOf(probe);
    if (!profile || videoSecondsOf(probe) <= 0) {
      throw new BundleFileError(file, profile ? 'has no duration' : 'has no video stream', replaceFix(kind));
    }
    return { key, path: localPath, probe, profile };
  };
  const inspected = await Promise.all([
    ...videoKeys.map((key) => inspect(key, 'video')),
    ...voiceKeys.map((key) => inspect(key, 'voice-over')),
  ]);
  return new Map(inspected.map((file) => [file.key, file]));
}

async function runRender(
  input: ExecuteRenderInput,
  args: string[],
  files: ReadonlyMap<string, InspectedFile>,
  totalSeconds: number,
): Promise<void> {
  const timeoutMs = input.ffmpegTimeoutMs ?? 120_000 + Math.ceil(totalSeconds) * 10_000;
  try {
    await input.runner.ffmpeg(args, {
      timeoutMs,
      ...(input.signal === undefined ? {} : { signal: input.signal }),
    });
  } catch (error) {
    const tail = error instanceof FfmpegError ? error.stderrTail : '';
    // Probing passed, so a failure here is usually a file damaged past its header: name it.
    const culprits = [...files.values()]
      .filter((file) => tail.includes(file.path))
      .map((file) => input.source.describe(file.key));
    const subject = culprits.length > 0 ? `reading ${culprits.join(', ')}` : 'rendering';
    throw new ComposeError(`ffmpeg failed ${subject}: ${lastLines(tail) || firstLine(error)}`, {
      cause: error,
    });
  }
}

/** The first bytes of a file, for sniffContainer; none when it cannot be opened (the probe says why). */
async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return new Uint8Array(0);
  try {
    const buffer = new Uint8Array(64);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Enough parallel ffprobes to hide their start-up time, few enough not to swamp a small machine. */
const PROBE_CONCURRENCY = 6;

function limiter(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    while (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

function playOrder(plan: TimelinePlan): string[] {
  return plan.segments.flatMap((segment) =>
    segment.kind === 'framing' ? [segment.video.key] : segment.blocks.map((block) => block.key),
  );
}

function replaceFix(kind: 'video' | 'voice-over'): string {
  return kind === 'video'
    ? 'replace it with a playable MP4 (H.264) and sync the bundle again'
    : 'replace it with a playable MP3 and sync the bundle again';
}

function firstLine(error: unknown): string {
  const tail = error instanceof FfmpegError ? error.stderrTail.trim() : '';
  const text = tail !== '' ? tail : error instanceof Error ? error.message : String(error);
  return text.split('\n').find((line) => line.trim() !== '') ?? 'unknown error';
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
