/**
 * Duration of an mp4 from its `mvhd` box, so the Bunny double can report a video's `length` the
 * way Bunny does after transcoding. Returns undefined for anything it cannot read.
 */
export function mp4DurationSeconds(data: Buffer): number | undefined {
  const at = data.indexOf('mvhd', 0, 'latin1');
  // Layout after the type: version(1) flags(3), then v0: ctime(4) mtime(4) timescale(4) duration(4);
  // v1: ctime(8) mtime(8) timescale(4) duration(8).
  if (at < 4) return undefined;
  const version = data[at + 4];
  const fields = at + 8;
  let timescale: number;
  let duration: number;
  if (version === 0) {
    if (data.length < fields + 16) return undefined;
    timescale = data.readUInt32BE(fields + 8);
    duration = data.readUInt32BE(fields + 12);
  } else if (version === 1) {
    if (data.length < fields + 28) return undefined;
    timescale = data.readUInt32BE(fields + 16);
    duration = Number(data.readBigUInt64BE(fields + 20));
  } else {
    return undefined;
  }
  return timescale > 0 ? duration / timescale : undefined;
}
