/**
 * The durations the output check needs, read straight from a rendered MP4's `moov` box: the movie
 * (`mvhd`) and each track's, by handler (`vide`, `soun`). Reading a few kilobytes in this process
 * costs a millisecond where an ffprobe run costs about 0.15 s, which a warm `compose` would pay on
 * every render. A track's duration follows what ffprobe reports: its edit list's segments when it
 * has one (ffmpeg writes one per track), else its media header. Anything unexpected (not an MP4,
 * no `moov`, a box that does not add up) gives undefined, and the caller falls back to ffprobe.
 */
import { open } from 'node:fs/promises';

export interface Mp4Durations {
  /** The movie's duration (`mvhd`). */
  durationSeconds: number;
  video?: { durationSeconds: number };
  audio?: { durationSeconds: number };
}

/** A `moov` above this is not one of our renders' (theirs are tens of kilobytes). */
const MAX_MOOV_BYTES = 64 * 1024 * 1024;

interface Box {
  type: string;
  /** Where the payload starts and the box ends, in the buffer it was read from. */
  start: number;
  end: number;
}

/** The boxes in `data[from, to)`, or undefined when a size does not fit. */
function childBoxes(data: Buffer, from: number, to: number): Box[] | undefined {
  const boxes: Box[] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = data.readUInt32BE(at);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) return undefined;
      size = Number(data.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) {
      size = to - at;
    }
    if (size < header || at + size > to) return undefined;
    boxes.push({ type: data.toString('latin1', at + 4, at + 8), start: at + header, end: at + size });
    at += size;
  }
  return boxes;
}

/** `[timescale, duration]` of an `mvhd` or `mdhd` payload (version 0 or 1). */
function timing(data: Buffer, box: Box): [number, number] | undefined {
  const version = data[box.start];
  if (version === 0 && box.end - box.start >= 20) {
    return [data.readUInt32BE(box.start + 12), data.readUInt32BE(box.start + 16)];
  }
  if (version === 1 && box.end - box.start >= 32) {
    return [data.readUInt32BE(box.start + 20), Number(data.readBigUInt64BE(box.start + 24))];
  }
  return undefined;
}

/** The summed segment durations (in the movie's timescale) of an `elst`, skipping empty edits. */
function editListDuration(data: Buffer, box: Box): number | undefined {
  const version = data[box.start];
  const count = data.readUInt32BE(box.start + 4);
  const entry = version === 1 ? 20 : 12;
  if (box.start + 8 + count * entry > box.end) return undefined;
  let total = 0;
  for (let i = 0; i < count; i += 1) {
    const at = box.start + 8 + i * entry;
    const segment = version === 1 ? Number(data.readBigUInt64BE(at)) : data.readUInt32BE(at);
    const mediaTime = version === 1 ? Number(data.readBigInt64BE(at + 8)) : data.readInt32BE(at + 4);
    if (mediaTime !== -1) total += segment;
  }
  return total;
}

function trackDuration(
  data: Buffer,
  trak: Box,
  movieTimescale: number,
): { handler: string; seconds: number } | undefined {
  const children = childBoxes(data, trak.start, trak.end);
  const mdia = children?.find((box) => box.type === 'mdia');
  if (!children || !mdia) return undefined;
  const media = childBoxes(data, mdia.start, mdia.end);
  const hdlr = media?.find((box) => box.type === 'hdlr');
  const mdhd = media?.find((box) => box.type === 'mdhd');
  if (!hdlr || !mdhd || hdlr.end - hdlr.start < 12) return undefined;
  const handler = data.toString('latin1', hdlr.start + 8, hdlr.start + 12);
  const edts = children.find((box) => box.type === 'edts');
  const elst = edts ? childBoxes(data, edts.start, edts.end)?.find((box) => box.type === 'elst') : undefined;
  if (elst) {
    const edited = editListDuration(data, elst);
    return edited === undefined || movieTimescale <= 0
      ? undefined
      : { handler, seconds: edited / movieTimescale };
  }
  const [timescale, duration] = timing(data, mdhd) ?? [0, 0];
  return timescale > 0 ? { handler, seconds: duration / timescale } : undefined;
}

/** Finds the top-level `moov` box by reading box headers only, then reads that box whole. */
async function readMoov(path: string): Promise<Buffer | undefined> {
  const file = await open(path, 'r');
  try {
    const { size: fileSize } = await file.stat();
    const header = Buffer.alloc(16);
    let at = 0;
    while (at + 8 <= fileSize) {
      const { bytesRead } = await file.read(header, 0, 16, at);
      if (bytesRead < 8) return undefined;
      let size = header.readUInt32BE(0);
      let headerSize = 8;
      if (size === 1) {
        if (bytesRead < 16) return undefined;
        size = Number(header.readBigUInt64BE(8));
        headerSize = 16;
      } else if (size === 0) {
        size = fileSize - at;
      }
      if (size < headerSize || at + size > fileSize) return undefined;
      if (header.toString('latin1', 4, 8) === 'moov') {
        if (size > MAX_MOOV_BYTES) return undefined;
        const moov = Buffer.alloc(size - headerSize);
        const read = await file.read(moov, 0, moov.length, at + headerSize);
        return read.bytesRead === moov.length ? moov : undefined;
      }
      at += size;
    }
    return undefined;
  } finally {
    await file.close();
  }
}

export async function readMp4Durations(path: string): Promise<Mp4Durations | undefined> {
  const moov = await readMoov(path).catch(() => undefined);
  if (!moov) return undefined;
  const boxes = childBoxes(moov, 0, moov.length);
  const mvhd = boxes?.find((box) => box.type === 'mvhd');
  const movie = mvhd ? timing(moov, mvhd) : undefined;
  if (!boxes || !movie || movie[0] <= 0) return undefined;
  const result: Mp4Durations = { durationSeconds: movie[1] / movie[0] };
  for (const trak of boxes.filter((box) => box.type === 'trak')) {
    const track = trackDuration(moov, trak, movie[0]);
    if (!track) return undefined;
    // The first track of each kind, as the probe's summary takes the first stream of each.
    if (track.handler === 'vide') result.video ??= { durationSeconds: track.seconds };
    if (track.handler === 'soun') result.audio ??= { durationSeconds: track.seconds };
  }
  return result;
}
