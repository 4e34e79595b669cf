export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Full-jitter exponential backoff (AWS architecture blog): random in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, baseMs = 200, capMs = 5_000, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/** Parses a Retry-After header (seconds or HTTP date) into milliseconds, capped. */
export function retryAfterMs(header: string | null | undefined, capMs = 60_000, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.min(capMs, Math.ceil(Number(v) * 1000));
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.min(capMs, Math.max(0, date - now));
}
