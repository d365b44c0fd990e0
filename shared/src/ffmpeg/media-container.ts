/**
 * The containers the pipeline accepts from its bucket and how ffmpeg is held to them. A bucket object
 * is untrusted: named `….mp4`, it may be an HLS playlist or a concat script, and ffmpeg's format
 * detection would then follow the references inside it to any local file. Pinning the demuxer
 * (`-f`) and the demuxers allowed below it (`-format_whitelist`) takes that choice away from the file.
 */
export type MediaContainer = 'mp4' | 'mp3';

interface ContainerSpec {
  /** The demuxer `-f` forces. */
  demuxer: string;
  /** Every name of that demuxer, as ffprobe reports `format_name` and `-format_whitelist` takes it. */
  names: readonly string[];
  /** How messages name it. */
  label: string;
}

export const MEDIA_CONTAINERS: Readonly<Record<MediaContainer, ContainerSpec>> = {
  mp4: { demuxer: 'mov', names: ['mov', 'mp4', 'm4a', '3gp', '3g2', 'mj2'], label: 'MP4/MOV video' },
  mp3: { demuxer: 'mp3', names: ['mp3'], label: 'MP3 audio' },
};

/** Input options (before `-i`) that open a file only as `container`: `-f mov -format_whitelist mov,mp4,…`. */
export function pinnedInputArgs(container: MediaContainer): string[] {
  const spec = MEDIA_CONTAINERS[container];
  return ['-f', spec.demuxer, '-format_whitelist', spec.names.join(',')];
}

/** Whether ffprobe's `format_name` (`mov,mp4,m4a,3gp,3g2,mj2`, `mp3`, `hls` …) is `container`. */
export function isContainer(formatName: string, container: MediaContainer): boolean {
  const names = MEDIA_CONTAINERS[container].names;
  const reported = formatName.split(',');
  return reported.length > 0 && reported.every((name) => names.includes(name));
}

/** What a file's first bytes say it is; `other` when they match nothing known. */
export type SniffedKind = 'mp4' | 'mp3' | 'hls' | 'ffconcat' | 'text' | 'other';

const MP4_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot']);

/**
 * A look at the first bytes (64 are plenty) before any demuxer sees the file, so a playlist or a
 * concat script named like media is refused with a message saying what it really is.
 */
export function sniffContainer(head: Uint8Array): SniffedKind {
  const text = new TextDecoder('latin1').decode(head.subarray(0, 64));
  // HLS allows a UTF-8 byte order mark before its tag, and ffmpeg skips one.
  const trimmed = text.replace(/^\u00EF\u00BB\u00BF/, '').trimStart();
  if (trimmed.startsWith('#EXTM3U')) return 'hls';
  if (/^ffconcat\b/i.test(trimmed)) return 'ffconcat';
  if (head.length >= 8 && MP4_BOXES.has(text.slice(4, 8))) return 'mp4';
  if (text.startsWith('ID3')) return 'mp3';
  // An MPEG audio frame header: 11 sync bits, then a version and layer that are not "reserved".
  if (head.length >= 2 && head[0] === 0xff && (head[1]! & 0xe0) === 0xe0 && (head[1]! & 0x06) !== 0) {
    return 'mp3';
  }
  if (
    head.length > 0 &&
    [...head.subarray(0, 64)].every(
      (byte) => byte === 9 || byte === 10 || byte === 13 || (byte >= 32 && byte < 127),
    )
  ) {
    return 'text';
  }
  return 'other';
}

/** `an HLS playlist`, `a concat script` … for messages about a file that is not what its name says. */
export function describeSniffed(kind: SniffedKind): string {
  switch (kind) {
    case 'hls':
      return 'an HLS playlist';
    case 'ffconcat':
      return 'an ffmpeg concat script';
    case 'mp4':
      return 'an MP4/MOV file';
    case 'mp3':
      return 'an MP3 file';
    case 'text':
      return 'a text file';
    default:
      return 'not a known media container';
  }
}
