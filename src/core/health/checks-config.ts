import { parseDocument } from 'yaml';
import { z } from 'zod';
import { parseCondition, type Condition } from './condition.js';
import { parseJsonPath } from './json-path.js';
import { DEFAULT_LIMITS } from './limits.js';
import { parseStatusSet, statusSet, type StatusSet } from './status-set.js';
import type { Aggregate, BodyRule, Check, Fallback, HttpCheck, Limits } from './types.js';
import { parseDuration } from '../util/duration.js';

/**
 * The `checks` input: a YAML list of checks, each validated key by key (zod). Every problem is one line that
 * names the entry and the key: `entry 2 ("version"): unknown key "bodycontains"`.
 */

interface EntryCommon {
  /** 1-based position in the list. */
  index: number;
  name: string;
  enabled: boolean;
  critical?: boolean;
  count?: number;
  failureLimit?: number;
  inconclusiveLimit?: number;
  consecutiveErrorLimit?: number;
  intervalMs?: number;
  timeoutMs?: number;
}

export interface HttpEntry extends EntryCommon {
  type: 'http';
  url?: string;
  expectStatus?: StatusSet;
  body?: BodyRule;
  maxLatencyMs?: number;
  latencyLimitMs?: number;
  followRedirects?: boolean;
  /** `healthy-body: false` with no other body rule: an override drops the built-in check's body rule. */
  noBody?: boolean;
}

export interface PrometheusEntry extends EntryCommon {
  type: 'prometheus';
  query: string;
  success?: Condition;
  fail?: Condition;
  aggregate?: Aggregate;
  onEmpty?: Fallback;
  onNaN?: Fallback;
}

export type ChecksEntry = HttpEntry | PrometheusEntry;

export class ChecksError extends Error {}

// ---- value schemas, one per key ----

const boolean = z.boolean({ error: 'must be true or false' });
const whole = (min: number) =>
  z
    .number({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be ${min} or more` })
    .max(1000, { error: 'must be 1000 or less' });
const duration = (positive: boolean) =>
  z.union([z.string(), z.number()], { error: 'must be a duration like "800ms", "10s" or "1m30s"' }).transform((v, ctx) => {
    const ms = parseDuration(String(v));
    if (ms === undefined || (positive && ms <= 0)) {
      ctx.addIssue({ code: 'custom', message: `must be a ${positive ? 'positive ' : ''}duration like "800ms", "10s" or "1m30s", got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return ms;
  });
const text = z.union([z.string(), z.number()], { error: 'must be text' }).transform((v) => String(v));
const nonEmptyText = text.refine((v) => v.trim() !== '', { error: 'must not be empty' });
const condition = text.transform((v, ctx) => {
  const r = parseCondition(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.value;
});
const choice = <T extends string>(values: readonly T[]) =>
  z.string({ error: `must be one of ${values.join(', ')}` }).refine((v): v is T => (values as readonly string[]).includes(v), {
    error: (iss) => `must be one of ${values.join(', ')}, got ${JSON.stringify(iss.input)}`,
  });
const statusCodes = z.unknown().transform((v, ctx) => {
  const r = parseStatusSet(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.value;
});
const regex = z.string({ error: 'must be a regular expression (text)' }).transform((v, ctx) => {
  const m = /^\/(.*)\/([imsu]*)$/s.exec(v);
  try {
    return { source: m ? m[1]! : v, regex: m ? new RegExp(m[1]!, m[2]) : new RegExp(v) };
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `is not a valid regular expression: ${(error as Error).message}` });
    return z.NEVER;
  }
});
const jsonPath = z.string({ error: 'must be a path like "$.status"' }).transform((v, ctx) => {
  const r = parseJsonPath(v);
  if (!r.ok) {
    ctx.addIssue({ code: 'custom', message: r.error });
    return z.NEVER;
  }
  return r.value;
});
const scalarText = z
  .union([z.string(), z.number(), z.boolean(), z.null()], { error: 'must be a text, number or boolean' })
  .transform((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
const scalarList = z.array(scalarText, { error: 'must be a list, like [ok, up]' }).min(1, { error: 'must list at least one value' });

const COMMON = {
  name: nonEmptyText,
  type: choice(['http', 'prometheus'] as const),
  enabled: boolean,
  critical: boolean,
  count: whole(1),
  'failure-limit': whole(0),
  'inconclusive-limit': whole(0),
  'consecutive-error-limit': whole(0),
  interval: duration(false),
  timeout: duration(true),
} as const;

const HTTP = {
  ...COMMON,
  url: nonEmptyText,
  'expect-status': statusCodes,
  'body-contains': text.refine((v) => v !== '', { error: 'must not be empty' }),
  'body-regex': regex,
  'json-path': jsonPath,
  equals: scalarText,
  'one-of': scalarList,
  'success-if': condition,
  'fail-if': condition,
  'max-latency': duration(true),
  'latency-limit': duration(true),
  'follow-redirects': boolean,
  'healthy-body': boolean,
} as const;

const PROMETHEUS = {
  ...COMMON,
  query: nonEmptyText,
  'success-if': condition,
  'fail-if': condition,
  aggregate: choice(['all', 'any', 'min', 'max', 'first'] as const),
  'on-empty': choice(['pass', 'fail', 'inconclusive'] as const),
  'on-nan': choice(['pass', 'fail', 'inconclusive'] as const),
} as const;

export const HTTP_KEYS = Object.keys(HTTP);
export const PROMETHEUS_KEYS = Object.keys(PROMETHEUS);

/** Parses the YAML text of the `checks` input. Throws ChecksError with a one-line message (no input name). */
export function parseChecks(yamlText: string): ChecksEntry[] {
  if (yamlText.trim() === '') return [];
  const doc = parseDocument(yamlText, { prettyErrors: true, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) {
    const at = problem.linePos?.[0];
    const first = problem.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    // YAML reads an unquoted `> 0.01` as the start of a folded block: the parser's own words do not say so.
    const unquoted = /^[\s-]*(success-if|fail-if)\s*:\s*[>|]/m.exec(yamlText);
    const hint = unquoted ? `; quote the condition: ${unquoted[1]}: "> 0.01"` : '';
    throw new ChecksError(`not valid YAML: ${first}${at ? ` (line ${at.line}, column ${at.col})` : ''}${hint}`);
  }
  const root: unknown = doc.toJS({ maxAliasCount: 100 });
  if (root === null || root === undefined) return [];
  if (!Array.isArray(root)) {
    throw new ChecksError(`must be a YAML list of checks (each starting with "- name:"), got ${describe(root)}`);
  }
  return root.map((item, i) => parseEntry(item, i + 1));
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function parseEntry(item: unknown, index: number): ChecksEntry {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new ChecksError(`entry ${index}: must be a mapping with name and type, got ${describe(item)}`);
  }
  const raw = item as Record<string, unknown>;
  const named = typeof raw.name === 'string' || typeof raw.name === 'number' ? String(raw.name).trim() : '';
  const label = named ? `entry ${index} (${JSON.stringify(named)})` : `entry ${index}`;
  const fail = (message: string): never => {
    throw new ChecksError(`${label}: ${message}`);
  };
  const read = <T>(key: string, schema: z.ZodType<T>): T | undefined => {
    if (!Object.hasOwn(raw, key)) return undefined;
    const r = schema.safeParse(raw[key]);
    if (!r.success) fail(`"${key}": ${r.error.issues[0]?.message ?? 'is not valid'}`);
    return (r as { data: T }).data;
  };

  if (!Object.hasOwn(raw, 'name')) fail('missing "name"');
  const name = read('name', COMMON.name)!.trim();
  if (name.length > 100 || /\p{Cc}/u.test(name)) fail('"name": must be one line of at most 100 characters');
  const explicitType = read('type', COMMON.type);
  const type = explicitType ?? (Object.hasOwn(raw, 'query') ? 'prometheus' : 'http');
  const allowed = type === 'http' ? HTTP : PROMETHEUS;
  const other = type === 'http' ? PROMETHEUS : HTTP;
  for (const key of Object.keys(raw)) {
    if (Object.hasOwn(allowed, key)) continue;
    if (Object.hasOwn(other, key)) fail(`key "${key}" is for ${type === 'http' ? 'prometheus' : 'http'} checks, not ${type}`);
    fail(`unknown key "${key}"`);
  }

  const enabled = read('enabled', COMMON.enabled) ?? true;
  const common: EntryCommon = {
    index,
    name,
    enabled,
    critical: read('critical', COMMON.critical),
    count: read('count', COMMON.count),
    failureLimit: read('failure-limit', COMMON['failure-limit']),
    inconclusiveLimit: read('inconclusive-limit', COMMON['inconclusive-limit']),
    consecutiveErrorLimit: read('consecutive-error-limit', COMMON['consecutive-error-limit']),
    intervalMs: read('interval', COMMON.interval),
    timeoutMs: read('timeout', COMMON.timeout),
  };

  if (type === 'prometheus') {
    const query = read('query', PROMETHEUS.query);
    const success = read('success-if', PROMETHEUS['success-if']);
    const failIf = read('fail-if', PROMETHEUS['fail-if']);
    const entry: PrometheusEntry = {
      ...common,
      type,
      query: query?.trim() ?? '',
      success,
      fail: failIf,
      aggregate: read('aggregate', PROMETHEUS.aggregate),
      onEmpty: read('on-empty', PROMETHEUS['on-empty']),
      onNaN: read('on-nan', PROMETHEUS['on-nan']),
    };
    if (!enabled) return entry;
    if (query === undefined) fail('missing "query" (a PromQL expression)');
    if (!success && !failIf) fail('needs "success-if" or "fail-if" (or both), like fail-if: "> 0.01"');
    return entry;
  }

  const bodyKeys = ['body-contains', 'body-regex', 'json-path', 'healthy-body'].filter((k) => Object.hasOwn(raw, k) && !(k === 'healthy-body' && raw[k] === false));
  if (bodyKeys.length > 1) fail(`use only one of body-contains, body-regex, json-path, healthy-body (got ${bodyKeys.join(' and ')})`);
  const valueKeys = ['equals', 'one-of', 'success-if', 'fail-if'].filter((k) => Object.hasOwn(raw, k));
  if (valueKeys.length > 0 && !Object.hasOwn(raw, 'json-path')) fail(`"${valueKeys[0]}" needs "json-path" (the value it compares)`);
  if (Object.hasOwn(raw, 'equals') && Object.hasOwn(raw, 'one-of')) fail('use only one of equals, one-of');
  if ((Object.hasOwn(raw, 'equals') || Object.hasOwn(raw, 'one-of')) && (Object.hasOwn(raw, 'success-if') || Object.hasOwn(raw, 'fail-if'))) {
    fail('use either equals/one-of or success-if/fail-if with json-path, not both');
  }

  let body: BodyRule | undefined;
  const contains = read('body-contains', HTTP['body-contains']);
  const re = read('body-regex', HTTP['body-regex']);
  const path = read('json-path', HTTP['json-path']);
  const healthy = read('healthy-body', HTTP['healthy-body']);
  const equals = read('equals', HTTP.equals);
  const oneOf = read('one-of', HTTP['one-of']);
  const success = read('success-if', HTTP['success-if']);
  const failIf = read('fail-if', HTTP['fail-if']);
  if (contains !== undefined) body = { kind: 'contains', text: contains };
  else if (re) body = { kind: 'regex', ...re };
  else if (path) body = { kind: 'json', path, equals, oneOf, success, fail: failIf };
  else if (healthy) body = { kind: 'healthy' };

  return {
    ...common,
    type: 'http',
    url: read('url', HTTP.url)?.trim(),
    expectStatus: read('expect-status', HTTP['expect-status']),
    body,
    maxLatencyMs: read('max-latency', HTTP['max-latency']),
    latencyLimitMs: read('latency-limit', HTTP['latency-limit']),
    followRedirects: read('follow-redirects', HTTP['follow-redirects']),
    ...(healthy === false && !body ? { noBody: true } : {}),
  };
}

// ---- from entries to checks ----

export interface CheckDefaults {
  /** The `url` input, if given: the six built-in checks run against it and relative URLs resolve against it. */
  baseUrl?: string;
  attempts: number;
  intervalMs: number;
  timeoutMs: number;
  prometheusUrl?: string;
}

export const BUILTIN_NAMES = ['connectivity', 'health', 'docs', 'response-time', 'status-code', 'root-content'] as const;

/**
 * The six checks of seed 002 for a base URL. connectivity, health and status-code are critical (status-code
 * only for a 5xx or no answer); docs, response-time and root-content are not.
 */
export function builtinChecks(baseUrl: string, d: CheckDefaults): HttpCheck[] {
  const common = (name: string, critical: boolean) => ({
    name,
    critical,
    origin: 'builtin' as const,
    limits: { count: d.attempts, ...DEFAULT_LIMITS },
    intervalMs: d.intervalMs,
    timeoutMs: d.timeoutMs,
    followRedirects: true,
  });
  return [
    { ...common('connectivity', true), type: 'http', url: baseUrl, expectStatus: statusSet('100-599') },
    { ...common('health', true), type: 'http', url: joinUrl(baseUrl, 'health'), expectStatus: statusSet('200-299'), body: { kind: 'healthy' } },
    { ...common('docs', false), type: 'http', url: joinUrl(baseUrl, 'docs'), expectStatus: statusSet('200-399') },
    { ...common('response-time', false), type: 'http', url: baseUrl, expectStatus: statusSet('100-599'), latencyLimitMs: 10_000 },
    { ...common('status-code', true), type: 'http', url: baseUrl, expectStatus: statusSet('200'), criticalStatus: statusSet('500-599') },
    { ...common('root-content', false), type: 'http', url: baseUrl, expectStatus: statusSet('200-399'), body: { kind: 'non-empty' } },
  ];
}

/** A relative URL is appended to the base URL's path (`/version` under `https://host/app` is `https://host/app/version`). */
export function joinUrl(base: string, relative: string): string {
  const u = new URL(base);
  const [pathPart, query] = splitOnce(relative, '?');
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${pathPart.replace(/^\/+/, '')}`;
  if (query !== undefined) u.search = `?${query}`;
  return u.toString();
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

function isAbsoluteHttp(v: string): boolean {
  return /^https?:\/\//i.test(v);
}

/**
 * The checks the gate runs: the built-in six when there is a base URL (an entry with a built-in's name
 * overrides the keys it gives, `enabled: false` drops it), then the entries. Throws ChecksError naming the entry.
 */
export function resolveChecks(entries: readonly ChecksEntry[], d: CheckDefaults): Check[] {
  const builtins = d.baseUrl ? builtinChecks(d.baseUrl, d) : [];
  const seen = new Map<string, number>();
  const overrides = new Map<string, Check | null>();
  const custom: Check[] = [];
  for (const e of entries) {
    const label = `entry ${e.index} (${JSON.stringify(e.name)})`;
    const prior = seen.get(e.name);
    if (prior !== undefined) throw new ChecksError(`${label}: duplicate name ${JSON.stringify(e.name)} (entry ${prior})`);
    seen.set(e.name, e.index);
    const isBuiltin = builtins.some((b) => b.name === e.name);
    if (!e.enabled) {
      if (isBuiltin) overrides.set(e.name, null);
      continue;
    }
    const builtin = builtins.find((b) => b.name === e.name);
    const check = builtin ? overrideBuiltin(builtin, e, d, label) : toCheck(e, d, label);
    if (isBuiltin) overrides.set(e.name, check);
    else custom.push(check);
  }
  const out: Check[] = [];
  for (const b of builtins) {
    const o = overrides.get(b.name);
    if (o === undefined) out.push(b);
    else if (o !== null) out.push(o);
  }
  return [...out, ...custom];
}

/**
 * An entry named like a built-in check changes only the keys it gives: `- name: docs` with `failure-limit: 2`
 * still requests /docs and accepts 2xx/3xx. URL, expected status, body rule, latency limit, redirects and
 * criticality come from the built-in unless the entry says otherwise (status-code's "critical only for a 5xx"
 * stays unless `critical` is given). A prometheus entry of that name replaces the built-in outright.
 */
function overrideBuiltin(b: HttpCheck, e: ChecksEntry, d: CheckDefaults, label: string): Check {
  const critical = e.critical ?? b.critical;
  if (e.type !== 'http') return toCheck({ ...e, critical }, d, label);
  const own = toCheck(e, d, label) as HttpCheck;
  const check: HttpCheck = {
    ...own,
    critical,
    url: e.url === undefined ? b.url : own.url,
    expectStatus: e.expectStatus ?? b.expectStatus,
    body: e.body ?? (e.noBody ? undefined : b.body),
    latencyLimitMs: e.latencyLimitMs ?? b.latencyLimitMs,
    followRedirects: e.followRedirects ?? b.followRedirects,
  };
  if (e.critical === undefined && b.criticalStatus) check.criticalStatus = b.criticalStatus;
  return check;
}

function toCheck(e: ChecksEntry, d: CheckDefaults, label: string): Check {
  const limits: Limits = {
    count: e.count ?? d.attempts,
    failureLimit: e.failureLimit ?? DEFAULT_LIMITS.failureLimit,
    inconclusiveLimit: e.inconclusiveLimit ?? DEFAULT_LIMITS.inconclusiveLimit,
    consecutiveErrorLimit: e.consecutiveErrorLimit ?? DEFAULT_LIMITS.consecutiveErrorLimit,
  };
  const common = {
    name: e.name,
    critical: e.critical ?? false,
    origin: 'checks' as const,
    limits,
    intervalMs: e.intervalMs ?? d.intervalMs,
    timeoutMs: e.timeoutMs ?? d.timeoutMs,
  };
  if (e.type === 'prometheus') {
    if (!d.prometheusUrl) throw new ChecksError(`${label}: a prometheus check needs the prometheus-url input`);
    return {
      ...common,
      type: 'prometheus',
      query: e.query,
      success: e.success,
      fail: e.fail,
      aggregate: e.aggregate ?? 'all',
      onEmpty: e.onEmpty ?? 'inconclusive',
      onNaN: e.onNaN ?? 'inconclusive',
    };
  }
  let url: string;
  if (e.url === undefined) {
    if (!d.baseUrl) throw new ChecksError(`${label}: missing "url" (there is no url input to default to)`);
    url = d.baseUrl;
  } else if (isAbsoluteHttp(e.url)) {
    try {
      url = new URL(e.url).toString();
    } catch {
      throw new ChecksError(`${label}: "url": is not a valid URL`);
    }
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(e.url)) {
    throw new ChecksError(`${label}: "url": must be http:// or https://`);
  } else {
    if (!d.baseUrl) throw new ChecksError(`${label}: "url": ${JSON.stringify(e.url)} is relative; set the url input or write an absolute URL`);
    url = joinUrl(d.baseUrl, e.url);
  }
  return {
    ...common,
    type: 'http',
    url,
    expectStatus: e.expectStatus ?? statusSet('200-299'),
    body: e.body,
    maxLatencyMs: e.maxLatencyMs,
    latencyLimitMs: e.latencyLimitMs,
    followRedirects: e.followRedirects ?? true,
  };
}
