import type { ParseResult } from './condition.js';

/** A set of HTTP status codes written as codes and ranges: `200-299, 301`, `200`, or a YAML list. */
export interface StatusSet {
  ranges: [number, number][];
  text: string;
}

export function statusSet(text: string): StatusSet {
  const r = parseStatusSet(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

export function parseStatusSet(input: unknown): ParseResult<StatusSet> {
  const parts: string[] = [];
  if (typeof input === 'number') parts.push(String(input));
  else if (typeof input === 'string') parts.push(...input.split(','));
  else if (Array.isArray(input) && input.every((v) => typeof v === 'number' || typeof v === 'string')) {
    for (const v of input as (number | string)[]) parts.push(...String(v).split(','));
  } else {
    return { ok: false, error: 'must be status codes and ranges, like "200-299, 301"' };
  }
  const ranges: [number, number][] = [];
  for (const raw of parts) {
    const p = raw.trim();
    if (p === '') continue;
    const m = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(p) ?? /^([1-5])xx$/i.exec(p);
    if (!m) return { ok: false, error: `must be status codes and ranges, like "200-299, 301", got ${JSON.stringify(p)}` };
    let lo: number;
    let hi: number;
    if (/xx$/i.test(p)) {
      lo = Number(m[1]) * 100;
      hi = lo + 99;
    } else {
      lo = Number(m[1]);
      hi = m[2] === undefined ? lo : Number(m[2]);
    }
    if (lo < 100 || hi > 599 || lo > hi) {
      return { ok: false, error: `must be status codes between 100 and 599, low-high, got ${JSON.stringify(p)}` };
    }
    ranges.push([lo, hi]);
  }
  if (ranges.length === 0) return { ok: false, error: 'must name at least one status code' };
  const text = ranges.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)).join(', ');
  return { ok: true, value: { ranges, text } };
}

export function statusMatches(set: StatusSet, status: number): boolean {
  return set.ranges.some(([lo, hi]) => status >= lo && status <= hi);
}
