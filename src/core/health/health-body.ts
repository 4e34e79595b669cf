/**
 * Reading what a `/health` endpoint says, by structure. Searching the text for "ok" or "healthy" read
 * `NOT OK`, `{"healthy":"false"}` and `{"status":{"database":"down"}}` as healthy, and `{"status":"warn"}` (the
 * IETF health-check format) or a bodiless 204 as down: a wrong rollback either way.
 */

/** pass: up; warn: up but degraded (the gate is at best DEGRADED); fail: not up. */
export type HealthLevel = 'pass' | 'warn' | 'fail';

export interface HealthReading {
  level: HealthLevel;
  /** ok, degraded, not-healthy, no-status, truncated-body */
  reason: string;
  message: string;
}

/** Status words, as the IETF draft (pass/ok/up, warn, fail/error/down), Spring (UP/DOWN/OUT_OF_SERVICE), ASP.NET (Healthy/Degraded/Unhealthy), gRPC (SERVING), Elasticsearch (green/yellow/red) write them. */
const PASS_WORDS = new Set(['healthy', 'ok', 'okay', 'up', 'pass', 'passed', 'passing', 'green', 'serving', 'alive', 'ready', 'true', '1']);
const WARN_WORDS = new Set(['warn', 'warning', 'degraded', 'yellow']);
/** Keys whose value is a status: a word, a boolean, a number, or a map of component statuses. */
const STATUS_KEYS = new Set(['status', 'health', 'healthy', 'ok', 'up']);
const MAX_DEPTH = 8;

const RANK: Record<HealthLevel, number> = { pass: 0, warn: 1, fail: 2 };

interface Found {
  level: HealthLevel;
  /** Where it was read, like `status` or `checks.db.status`, and the value as written. */
  where: string;
  value: string;
}

/** The level of one scalar status value: booleans and numbers as such, words by vocabulary, anything else fails. */
function scalarLevel(value: unknown): HealthLevel | undefined {
  if (typeof value === 'boolean') return value ? 'pass' : 'fail';
  if (typeof value === 'number') return value !== 0 && Number.isFinite(value) ? 'pass' : 'fail';
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (PASS_WORDS.has(word)) return 'pass';
    if (WARN_WORDS.has(word)) return 'warn';
    return 'fail';
  }
  if (value === null) return 'fail';
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Every status in a JSON document: the object's own status keys (a map as the value, `{"status": {"api":
 * "ok", "database": "down"}}`, is a status per component), and the status of every nested object or array item
 * that has one (IETF `checks`, Spring `components`, ASP.NET `entries`, Spring 1.x top-level components).
 */
function collect(node: unknown, path: string, depth: number, out: Found[]): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(node)) {
    node.forEach((item, i) => collect(item, `${path}[${i}]`, depth + 1, out));
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const at = path ? `${path}.${key}` : key;
    if (STATUS_KEYS.has(key.toLowerCase())) {
      const level = scalarLevel(value);
      if (level) {
        out.push({ level, where: at, value: typeof value === 'string' ? value : JSON.stringify(value) });
        continue;
      }
      if (isObject(value)) {
        // A map of component statuses: scalar values are statuses; objects are read as components.
        for (const [name, v] of Object.entries(value)) {
          const l = scalarLevel(v);
          if (l) out.push({ level: l, where: `${at}.${name}`, value: typeof v === 'string' ? v : JSON.stringify(v) });
          else collect(v, `${at}.${name}`, depth + 1, out);
        }
        continue;
      }
    }
    if (typeof value === 'object' && value !== null) collect(value, at, depth + 1, out);
  }
}

function worst(found: readonly Found[]): Found | undefined {
  let w: Found | undefined;
  for (const f of found) if (!w || RANK[f.level] > RANK[w.level]) w = f;
  return w;
}

function show(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(t.length > 60 ? `${t.slice(0, 59)}…` : t);
}

/** A JSON document: the worst status anywhere in it; none at all fails (a health answer must say). */
export function readJsonHealth(doc: unknown): HealthReading {
  if (typeof doc === 'string') return readTextHealth(doc);
  if (typeof doc === 'boolean' || typeof doc === 'number') {
    const level = scalarLevel(doc)!;
    return { level, reason: level === 'pass' ? 'ok' : 'not-healthy', message: `the body is ${JSON.stringify(doc)}` };
  }
  const found: Found[] = [];
  collect(doc, '', 0, found);
  const w = worst(found);
  if (!w) return { level: 'fail', reason: 'no-status', message: 'the JSON body has no status (status, health, healthy, ok or up)' };
  const count = found.length > 1 ? ` (${found.length} statuses read)` : '';
  if (w.level === 'pass') return { level: 'pass', reason: 'ok', message: `${w.where} is ${show(w.value)}${count}` };
  if (w.level === 'warn') return { level: 'warn', reason: 'degraded', message: `${w.where} is ${show(w.value)}: up but degraded${count}` };
  return { level: 'fail', reason: 'not-healthy', message: `${w.where} is ${show(w.value)}, not healthy, ok, up or pass${count}` };
}

const NEGATIONS = new Set(['not', 'no', 'non', 'never', 'isnt', 'arent', 'wasnt', 'cannot', 'cant', 'dont', 'doesnt', 'without', 'zero', '0']);
const FAIL_WORDS = new Set([
  'unhealthy',
  'down',
  'fail',
  'failed',
  'failing',
  'failure',
  'error',
  'errors',
  'critical',
  'dead',
  'unavailable',
  'unreachable',
  'broken',
  'false',
  'outage',
  'ko',
  'nok',
  'red',
]);
const TEXT_PASS_WORDS = new Set(['healthy', 'ok', 'okay', 'up', 'pass', 'passed', 'passing', 'alive', 'ready', 'serving', 'green', 'true']);

/**
 * Free text: healthy only on a healthy word (healthy, ok, up, pass…) that no negation comes just before
 * (`NOT OK`, "not healthy", "isn't up"), and no failure word anywhere ("down", "error", "unhealthy"). A
 * degradation word ("degraded", "warn") is up but degraded.
 */
export function readTextHealth(text: string): HealthReading {
  const words = text
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
  if (words.length === 0) return { level: 'fail', reason: 'not-healthy', message: `the body says nothing: ${show(text)}` };
  const negated = (i: number) => words.slice(Math.max(0, i - 3), i).some((w) => NEGATIONS.has(w));
  let healthyWord: string | undefined;
  let warnWord: string | undefined;
  for (const [i, w] of words.entries()) {
    if (FAIL_WORDS.has(w) && !negated(i)) return { level: 'fail', reason: 'not-healthy', message: `the body says ${JSON.stringify(w)}: ${show(text)}` };
    if (TEXT_PASS_WORDS.has(w) || WARN_WORDS.has(w)) {
      if (negated(i)) return { level: 'fail', reason: 'not-healthy', message: `the body negates ${JSON.stringify(w)}: ${show(text)}` };
      if (WARN_WORDS.has(w)) warnWord ??= w;
      else healthyWord ??= w;
    }
  }
  if (warnWord) return { level: 'warn', reason: 'degraded', message: `the body says ${JSON.stringify(warnWord)}: up but degraded` };
  if (healthyWord) return { level: 'pass', reason: 'ok', message: `the body says ${JSON.stringify(healthyWord)}` };
  return { level: 'fail', reason: 'not-healthy', message: `the body says neither healthy, ok, up nor pass: ${show(text)}` };
}

/**
 * The built-in /health rule. A 2xx with no body (204) is up. A body cut off by the read limit is never
 * healthy (the part not read may say otherwise). JSON (any content type, `application/health+json`
 * included) is read by structure, anything else as free text.
 */
export function readHealthAnswer(body: string, o: { truncated?: boolean } = {}): HealthReading {
  if (o.truncated) return { level: 'fail', reason: 'truncated-body', message: 'the body is longer than the 1 MiB read limit: a cut-off answer is never read as healthy' };
  if (body.trim() === '') return { level: 'pass', reason: 'ok', message: 'no body: a 2xx answer without a body is up' };
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    const trimmed = body.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      return { level: 'fail', reason: 'not-healthy', message: `the body looks like JSON but does not parse: ${show(trimmed)}` };
    }
    return readTextHealth(body);
  }
  return readJsonHealth(doc);
}
