export interface Trailer {
  key: string;
  value: string;
}

/** Reads the `Key: value` lines `git interpret-trailers --parse` prints (one per line, already unfolded). */
export function parseTrailerLines(output: string): Trailer[] {
  const trailers: Trailer[] = [];
  for (const line of output.split('\n')) {
    const m = /^([^:\s][^:]*?)\s*:\s?(.*)$/.exec(line);
    if (m) trailers.push({ key: m[1] ?? '', value: (m[2] ?? '').trim() });
  }
  return trailers;
}

/** The last value of a trailer (keys compare case-insensitively, as git does). */
export function trailerValue(trailers: readonly Trailer[], key: string): string | undefined {
  const k = key.toLowerCase();
  for (let i = trailers.length - 1; i >= 0; i--) if (trailers[i]?.key.toLowerCase() === k) return trailers[i]?.value;
  return undefined;
}
