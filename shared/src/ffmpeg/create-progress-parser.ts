/** One progress report of a running ffmpeg. */
export interface FfmpegProgress {
  /** Media time written so far, in seconds (from `out_time_us`). */
  outTimeSeconds: number;
  /** Encoding speed relative to real time (`speed=2.5x` → 2.5), when ffmpeg knows it. */
  speed?: number;
}

/**
 * Parses the `key=value` blocks that `-progress pipe:1` prints (each ends with `progress=continue`
 * or `progress=end`) and reports each block whose time moved forward, so callers see increasing times.
 * Returns a function to feed stdout chunks into.
 */
export function createProgressParser(
  onProgress: (progress: FfmpegProgress) => void,
): (chunk: string) => void {
  let partial = '';
  let outTimeUs: number | undefined;
  let speed: number | undefined;
  let reported = -1;

  const line = (text: string) => {
    const separator = text.indexOf('=');
    if (separator < 0) return;
    const key = text.slice(0, separator).trim();
    const value = text.slice(separator + 1).trim();
    if (key === 'out_time_us') {
      const parsed = Number(value);
      outTimeUs = value !== '' && Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
    } else if (key === 'speed') {
      const parsed = Number.parseFloat(value);
      speed = Number.isFinite(parsed) ? parsed : undefined;
    } else if (key === 'progress' && outTimeUs !== undefined) {
      const outTimeSeconds = outTimeUs / 1_000_000;
      if (outTimeSeconds <= reported) return;
      reported = outTimeSeconds;
      onProgress(speed === undefined ? { outTimeSeconds } : { outTimeSeconds, speed });
    }
  };

  return (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const text of lines) line(text);
  };
}
