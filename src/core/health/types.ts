import type { Condition } from './condition.js';
import type { JsonPath } from './json-path.js';
import type { StatusSet } from './status-set.js';

/** What one measurement of one check came to (Argo's measurement phases, plus ERROR for faults). */
export type Outcome = 'PASS' | 'FAIL' | 'INCONCLUSIVE' | 'ERROR';

/** What a check ends as: an outcome decided by its limits. */
export type Verdict = Outcome;

/** The gate's status, best first. */
export type HealthStatus = 'HEALTHY' | 'DEGRADED' | 'UNHEALTHY' | 'CRITICAL';
export const STATUS_ORDER: readonly HealthStatus[] = ['HEALTHY', 'DEGRADED', 'UNHEALTHY', 'CRITICAL'];

export type Aggregate = 'all' | 'any' | 'min' | 'max' | 'first';
/** What an empty result or a NaN value counts as. */
export type Fallback = 'pass' | 'fail' | 'inconclusive';

/** Argo Rollouts' limits: failureLimit 0, inconclusiveLimit 0, consecutiveErrorLimit 4 by default. */
export interface Limits {
  /** Measurements (non-error attempts) needed for a PASS. */
  count: number;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
}

interface CheckBase {
  name: string;
  critical: boolean;
  limits: Limits;
  /** Milliseconds between the end of one attempt and the start of the next. */
  intervalMs: number;
  /** Per request. */
  timeoutMs: number;
  /** Where the check came from: one of the six built-in checks for `url`, or an entry of `checks`. */
  origin: 'builtin' | 'checks';
}

/** How an HTTP check reads the body. At most one of these is set by the user; `healthy` is the built-in /health rule. */
export type BodyRule =
  | { kind: 'contains'; text: string }
  | { kind: 'regex'; source: string; regex: RegExp }
  | { kind: 'json'; path: JsonPath; equals?: string; oneOf?: string[]; success?: Condition; fail?: Condition }
  | { kind: 'healthy' }
  | { kind: 'non-empty' };

export interface HttpCheck extends CheckBase {
  type: 'http';
  /** Absolute URL, already resolved against the `url` input. */
  url: string;
  expectStatus: StatusSet;
  body?: BodyRule;
  /** Soft bound: slower passes with a warning, and the gate is at best DEGRADED. */
  maxLatencyMs?: number;
  /** Hard bound: slower is FAIL (the built-in response-time check). */
  latencyLimitMs?: number;
  followRedirects: boolean;
  /** When set, the check counts as critical only if it ends ERROR or FAIL with one of these codes (built-in status-code: 5xx). */
  criticalStatus?: StatusSet;
}

export interface PrometheusCheck extends CheckBase {
  type: 'prometheus';
  query: string;
  success?: Condition;
  fail?: Condition;
  aggregate: Aggregate;
  onEmpty: Fallback;
  onNaN: Fallback;
}

export type Check = HttpCheck | PrometheusCheck;

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** One attempt of one check, as it goes into the report. */
export interface Attempt {
  n: number;
  startedAt: string;
  outcome: Outcome;
  /** A stable code: ok, slow, unexpected-status, body-mismatch, refused, tls, timeout, query-error, empty, nan… */
  reason: string;
  message: string;
  /** HTTP: the status code; Prometheus: the value the conditions were evaluated on. */
  value?: number | string;
  status?: number;
  latencyMs: number;
  /** HTTP: the URL that answered last (after redirects). */
  finalUrl?: string;
  redirects?: string[];
  /** Prometheus: the series the query returned (at most 20). */
  samples?: { labels: Record<string, string>; value: string }[];
  sampleCount?: number;
  errorType?: string;
  /** Over max-latency: the check passes, and the gate is at best DEGRADED. */
  warnings?: string[];
  /** The `warnings` of Prometheus' answer (informative; they do not change the verdict). */
  prometheusWarnings?: string[];
  /** A fault retrying cannot fix (a PromQL syntax error, an untrusted certificate): the check ends at once. */
  permanent?: boolean;
}

export interface CheckResult {
  name: string;
  type: 'http' | 'prometheus';
  critical: boolean;
  /** When only some failures are critical (built-in status-code: a 5xx or no answer). */
  criticalOn?: string;
  /** Whether this result makes the gate CRITICAL (a critical check that ended FAIL or ERROR). */
  criticalFailure: boolean;
  verdict: Verdict;
  /** Why the limits decided this verdict: count, failure-limit, inconclusive-limit, consecutive-error-limit, permanent-error, deadline, prometheus-unavailable. */
  decidedBy: string;
  reason: string;
  message: string;
  value?: number | string;
  status?: number;
  latencyMs?: number;
  warnings: string[];
  /** HTTP: the resolved URL (credentials removed). */
  url?: string;
  /** Prometheus: the query exactly as sent, and the endpoint it went to. */
  query?: string;
  endpoint?: string;
  limits: Limits;
  tally: { pass: number; fail: number; inconclusive: number; error: number };
  attempts: Attempt[];
  /** Older attempts left out of the report to keep it under its size limit (the newest are kept). */
  attemptsOmitted?: number;
}
