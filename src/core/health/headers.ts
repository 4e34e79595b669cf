import type { ParseResult } from './condition.js';

export interface Header {
  name: string;
  value: string;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `Name: value` lines (blank lines and lines starting with # skipped). Errors name the line, never its value:
 * these are credentials.
 */
export function parseHeaders(text: string): ParseResult<Header[]> {
  const out: Header[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const at = line.indexOf(':');
    const name = at < 0 ? '' : line.slice(0, at).trim();
    const value = at < 0 ? '' : line.slice(at + 1).trim();
    if (at < 0 || !TOKEN.test(name)) return { ok: false, error: `line ${i + 1} must be "Name: value" with a valid header name` };
    if (value === '') return { ok: false, error: `line ${i + 1} (${name}) has an empty value` };
    if (/\p{Cc}/u.test(value.replace(/\t/g, ''))) return { ok: false, error: `line ${i + 1} (${name}) has a control character in its value` };
    const key = name.toLowerCase();
    if (seen.has(key)) return { ok: false, error: `line ${i + 1} repeats header ${name}` };
    seen.add(key);
    out.push({ name, value });
  }
  return { ok: true, value: out };
}

export function headerRecord(headers: readonly Header[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of headers) out[h.name] = h.value;
  return out;
}
