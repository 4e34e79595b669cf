import { evaluateSamples } from './aggregate.js';
import { formatNumber } from './condition.js';
import { evaluateHttp } from './http-check.js';
import { displayUrl, httpRequest } from './http-client.js';
import { addOutcome, assess, emptyTally, type Tally } from './limits.js';
import { probePrometheus, queryEndpoint, queryPrometheus, type PrometheusClient } from './prometheus.js';
import { statusMatches } from './status-set.js';
import type { Attempt, Check, CheckResult, HttpCheck, PrometheusCheck } from './types.js';
import type { Logger } from '../action/log.js';
import { formatDuration } from '../util/duration.js';

export interface GateOptions {
  checks: readonly Check[];
  /** Sent with every HTTP check (same origin only). */
  headers: Record<string, string>;
  prometheus?: PrometheusClient;
  /** Extra trusted CA certificates (PEM) for HTTP checks. */
  ca?: string[];
  initialDelayMs: number;
  /** The whole gate, initial delay included. */
  deadlineMs: number;
  /** Requests in flight at once (a check waiting out its interval holds none). */
  concurrency?: number;
  log: Logger;
}

export interface GateRun {
  results: CheckResult[];
  startedAt: string;
  durationMs: number;
  deadlineHit: boolean;
  /** The checks still running when the deadline passed. */
  waitingFor: string[];
  prometheus?: { url: string; up: boolean; message?: string };
}

export const DEFAULT_CONCURRENCY = 64;

const MARK = { PASS: '✓', FAIL: '✗', INCONCLUSIVE: '?', ERROR: '!' } as const;

/** A counting semaphore: at most `limit` functions run at once, the rest wait their turn in order. */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private readonly limit: number;
  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

/** Sleeps, or stops early when the signal aborts; resolves to false if aborted. */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs every check concurrently: attempts of one check spaced by its interval, each check's verdict decided
 * by its limits (Argo Rollouts' rules), Prometheus probed once with `vector(1)` alongside (for the report). At
 * the deadline every request in flight is stopped and the unfinished checks end INCONCLUSIVE (decided by
 * `deadline`): the gate running out of its own time says nothing about the service.
 */
export async function runGate(o: GateOptions): Promise<GateRun> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const controller = new AbortController();
  const signal = controller.signal;
  let deadlineHit = false;
  const deadline = setTimeout(() => {
    deadlineHit = true;
    controller.abort();
  }, o.deadlineMs);
  const limiter = new Limiter(o.concurrency ?? DEFAULT_CONCURRENCY);
  try {
    if (o.initialDelayMs > 0) {
      o.log.info(`Waiting ${formatDuration(o.initialDelayMs)} (initial-delay) before the first check`);
      await pause(o.initialDelayMs, signal);
    }
    const promChecks = o.checks.filter((c): c is PrometheusCheck => c.type === 'prometheus');
    let probe: Promise<{ ok: true } | { ok: false; message: string; reason: string }> | undefined;
    if (promChecks.length > 0 && o.prometheus) {
      const client = o.prometheus;
      const timeoutMs = Math.min(...promChecks.map((c) => c.timeoutMs));
      probe = limiter.run(() => probePrometheus(client, timeoutMs, signal));
    }
    const results = await Promise.all(o.checks.map((check) => runCheck(check, { o, limiter, signal, probe, isDeadline: () => deadlineHit })));
    let prometheus: GateRun['prometheus'];
    if (probe && o.prometheus) {
      const p = await probe;
      prometheus = { url: displayUrl(o.prometheus.url), up: p.ok, ...(p.ok ? {} : { message: p.message }) };
    }
    const waitingFor = results.filter((r) => r.decidedBy === 'deadline').map((r) => r.name);
    return { results, startedAt, durationMs: Math.round(performance.now() - started), deadlineHit: deadlineHit && waitingFor.length > 0, waitingFor, prometheus };
  } finally {
    clearTimeout(deadline);
  }
}

interface Ctx {
  o: GateOptions;
  limiter: Limiter;
  signal: AbortSignal;
  probe?: Promise<{ ok: true } | { ok: false; message: string; reason: string }>;
  isDeadline: () => boolean;
}

async function runCheck(check: Check, ctx: Ctx): Promise<CheckResult> {
  const attempts: Attempt[] = [];
  let tally = emptyTally();
  const { log } = ctx.o;
  const finish = (verdict: CheckResult['verdict'], decidedBy: string): CheckResult => {
    const endpoint = check.type === 'prometheus' && ctx.o.prometheus ? displayUrl(queryEndpoint(ctx.o.prometheus.url)) : undefined;
    const r = summarise(check, attempts, tally, verdict, decidedBy, endpoint);
    log.info(`${MARK[verdict]} ${check.name}: ${verdict}${r.reason !== 'ok' ? ` (${r.reason})` : ''}: ${r.message}`);
    return r;
  };

  if (check.type === 'prometheus' && !ctx.o.prometheus) {
    attempts.push({ n: 1, startedAt: new Date().toISOString(), outcome: 'ERROR', reason: 'prometheus-unavailable', message: 'no prometheus-url', latencyMs: 0 });
    tally = addOutcome(tally, 'ERROR');
    return finish('ERROR', 'prometheus-unavailable');
  }
  // Prometheus down or restarting is not settled by the probe: each query is an attempt, and its errors are
  // retried every interval up to consecutive-error-limit, as any other measurement's.

  for (let n = 1; ; n++) {
    if (n > 1 && !(await pause(check.intervalMs, ctx.signal))) return finish('INCONCLUSIVE', 'deadline');
    if (ctx.signal.aborted) return finish('INCONCLUSIVE', 'deadline');
    const attempt = await ctx.limiter.run(() => (ctx.signal.aborted ? Promise.resolve(undefined) : measure(check, n, ctx)));
    if (!attempt) return finish('INCONCLUSIVE', 'deadline');
    if (attempt.reason === 'aborted' && ctx.isDeadline()) {
      attempts.push({ ...attempt, reason: 'deadline', message: 'stopped: the gate reached its deadline during this attempt' });
      return finish('INCONCLUSIVE', 'deadline');
    }
    attempts.push(attempt);
    log.debug(`${check.name} #${n}: ${attempt.outcome} ${attempt.reason} — ${attempt.message} (${attempt.latencyMs} ms)`);
    // One annotation per check and kind, not one per attempt.
    const first = (key: 'warnings' | 'prometheusWarnings') => attempt[key]?.length && !attempts.slice(0, -1).some((a) => a[key]?.length);
    if (first('warnings')) log.warning(attempt.warnings![0]!, { title: `health-gate: ${check.name}` });
    if (first('prometheusWarnings')) log.warning(`${check.name}: Prometheus warns: ${attempt.prometheusWarnings!.join('; ')}`, { title: `health-gate: ${check.name}` });
    tally = addOutcome(tally, attempt.outcome);
    if (attempt.outcome === 'ERROR' && attempt.permanent) return finish('ERROR', 'permanent-error');
    const a = assess(tally, check.limits);
    if (a.done) return finish(a.verdict, a.decidedBy);
  }
}

async function measure(check: Check, n: number, ctx: Ctx): Promise<Attempt> {
  const startedAt = new Date().toISOString();
  if (check.type === 'http') return measureHttp(check, n, startedAt, ctx);
  return measurePrometheus(check, n, startedAt, ctx);
}

async function measureHttp(check: HttpCheck, n: number, startedAt: string, ctx: Ctx): Promise<Attempt> {
  const res = await httpRequest({
    url: check.url,
    headers: ctx.o.headers,
    timeoutMs: check.timeoutMs,
    followRedirects: check.followRedirects,
    ca: ctx.o.ca,
    signal: ctx.signal,
  });
  const e = evaluateHttp(check, res);
  return {
    n,
    startedAt,
    outcome: e.outcome,
    reason: e.reason,
    message: e.message,
    ...(e.value !== undefined ? { value: e.value } : {}),
    ...(e.status !== undefined ? { status: e.status } : {}),
    latencyMs: res.latencyMs,
    finalUrl: res.finalUrl,
    ...(res.redirects.length ? { redirects: [...res.redirects] } : {}),
    ...(e.warnings.length ? { warnings: e.warnings } : {}),
    ...(e.permanent ? { permanent: true } : {}),
  };
}

async function measurePrometheus(check: PrometheusCheck, n: number, startedAt: string, ctx: Ctx): Promise<Attempt> {
  const client = ctx.o.prometheus!;
  const r = await queryPrometheus(client, check.query, check.timeoutMs, ctx.signal);
  if (!r.ok) {
    return {
      n,
      startedAt,
      outcome: 'ERROR',
      reason: r.reason,
      message: r.message,
      latencyMs: r.latencyMs,
      ...(r.errorType ? { errorType: r.errorType } : {}),
      ...(r.permanent ? { permanent: true } : {}),
    };
  }
  const e = evaluateSamples(check, r.samples);
  return {
    n,
    startedAt,
    outcome: e.outcome,
    reason: e.reason,
    message: e.message,
    ...(e.value !== undefined ? { value: e.value } : {}),
    latencyMs: r.latencyMs,
    sampleCount: r.samples.length,
    samples: r.samples.slice(0, 20).map((s) => ({ labels: s.labels, value: formatNumber(s.value) })),
    ...(r.warnings.length ? { prometheusWarnings: r.warnings } : {}),
  };
}

/** Folds a check's attempts into its result: verdict, the reason and value that explain it, the latency. */
export function summarise(
  check: Check,
  attempts: readonly Attempt[],
  tally: Tally,
  verdict: CheckResult['verdict'],
  decidedBy: string,
  endpoint?: string,
): CheckResult {
  const last = attempts[attempts.length - 1];
  const warnings = [...new Set(attempts.flatMap((a) => a.warnings ?? []))];
  const slow = attempts.find((a) => a.reason === 'slow');
  const passes = attempts.filter((a) => a.outcome === 'PASS');
  const shown = verdict === 'PASS' ? (slow ?? passes[passes.length - 1] ?? last) : last;
  let reason = shown?.reason ?? decidedBy;
  let message = shown?.message ?? '';
  const measured = tally.pass + tally.fail + tally.inconclusive;
  const l = check.limits;
  switch (decidedBy) {
    case 'count':
      reason = slow ? 'slow' : (shown?.reason ?? 'ok');
      message = `${tally.pass} of ${measured} attempts passed${tally.fail ? `, ${tally.fail} failed (failure-limit ${l.failureLimit})` : ''}${tally.inconclusive ? `, ${tally.inconclusive} inconclusive (inconclusive-limit ${l.inconclusiveLimit})` : ''}${tally.error ? `, ${tally.error} errored` : ''}; ${message}`;
      break;
    case 'failure-limit':
      message = `${tally.fail} failed attempt(s), over failure-limit ${l.failureLimit}: ${message}`;
      break;
    case 'inconclusive-limit':
      message = `${tally.inconclusive} inconclusive attempt(s), over inconclusive-limit ${l.inconclusiveLimit}: ${message}`;
      break;
    case 'consecutive-error-limit':
      message = `${tally.consecutiveErrors} errors in a row, over consecutive-error-limit ${l.consecutiveErrorLimit}: ${message}`;
      break;
    case 'permanent-error':
      message = `${message} (not retried: asking again cannot change the answer)`;
      break;
    case 'deadline':
      reason = 'deadline';
      message = `the gate's deadline passed while this check was still running (${attempts.length} attempt(s) made${last && last.reason !== 'deadline' ? `; last: ${last.outcome} ${last.reason}` : ''})`;
      break;
    case 'prometheus-unavailable':
      reason = 'prometheus-unavailable';
      break;
  }
  // A Prometheus ERROR is the measuring side failing (unreachable, restarting, a query error), not the service.
  const criticalFailure =
    check.critical &&
    ((verdict === 'ERROR' && check.type === 'http') ||
      (verdict === 'FAIL' &&
        (check.type !== 'http' ||
          !check.criticalStatus ||
          attempts.some((a) => a.outcome === 'FAIL' && a.status !== undefined && statusMatches(check.criticalStatus!, a.status)))));
  return {
    name: check.name,
    type: check.type,
    critical: check.critical,
    ...(check.type === 'http' && check.criticalStatus ? { criticalOn: `${check.criticalStatus.text} or no answer` } : {}),
    criticalFailure,
    verdict,
    decidedBy,
    reason,
    message,
    ...(shown?.value !== undefined ? { value: shown.value } : {}),
    ...(shown?.status !== undefined ? { status: shown.status } : {}),
    ...(shown && shown.reason !== 'deadline' && shown.reason !== 'prometheus-unavailable' ? { latencyMs: shown.latencyMs } : {}),
    warnings,
    ...(check.type === 'http' ? { url: displayUrl(check.url) } : { query: check.query, ...(endpoint ? { endpoint } : {}) }),
    limits: check.limits,
    tally: { pass: tally.pass, fail: tally.fail, inconclusive: tally.inconclusive, error: tally.error },
    attempts: [...attempts],
  };
}
