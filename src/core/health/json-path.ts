import type { ParseResult } from './condition.js';

/** A small JSONPath subset: `$.status`, `status.db`, `$.checks[0].state`, `$['content-type']`. */
export interface JsonPath {
  text: string;
  steps: (string | number)[];
}

export function parseJsonPath(text: string): ParseResult<JsonPath> {
  const t = text.trim();
  const bad = { ok: false as const, error: `must be a path like "$.status" or "$.checks[0].state", got ${JSON.stringify(text)}` };
  if (t === '') return bad;
  let i = 0;
  if (t[0] === '$') i = 1;
  const steps: (string | number)[] = [];
  let first = true;
  while (i < t.length) {
    const c = t[i]!;
    if (c === '.') {
      const m = /^\.([A-Za-z_$@][\w$@-]*)/.exec(t.slice(i));
      if (!m) return bad;
      steps.push(m[1]!);
      i += m[0].length;
    } else if (c === '[') {
      const m = /^\[(?:(\d+)|'([^']*)'|"([^"]*)")\]/.exec(t.slice(i));
      if (!m) return bad;
      steps.push(m[1] !== undefined ? Number(m[1]) : (m[2] ?? m[3])!);
      i += m[0].length;
    } else if (first && i === 0) {
      const m = /^([A-Za-z_$@][\w$@-]*)/.exec(t);
      if (!m) return bad;
      steps.push(m[1]!);
      i += m[0].length;
    } else {
      return bad;
    }
    first = false;
  }
  return { ok: true, value: { text: t, steps } };
}

/** The value at the path, or `{ found: false }` when a step is missing. */
export function readJsonPath(doc: unknown, path: JsonPath): { found: true; value: unknown } | { found: false } {
  let cur: unknown = doc;
  for (const step of path.steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(cur) || step >= cur.length) return { found: false };
      cur = cur[step];
    } else {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur) || !Object.hasOwn(cur, step)) return { found: false };
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return { found: true, value: cur };
}

/** How a JSON value compares with `equals` / `one-of` text: strings as they are, everything else as JSON. */
export function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
