import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { HealthGateInputs } from './inputs.js';
import { ConfigurationError } from '../../core/action/errors.js';
import type { Logger } from '../../core/action/log.js';
import { ChecksError, parseChecks, resolveChecks, type ChecksEntry } from '../../core/health/checks-config.js';
import { runGate, type GateRun } from '../../core/health/gate.js';
import { headerRecord, type Header } from '../../core/health/headers.js';
import { displayUrl } from '../../core/health/http-client.js';
import { buildReport, failureMessage, redactDeep, redactor, renderSummary, verdictLine, type Decision, type HealthReport } from '../../core/health/report.js';
import { fitReport } from '../../core/health/report-size.js';
import { atLeast, scoreChecks } from '../../core/health/scoring.js';
import type { Check, HealthStatus } from '../../core/health/types.js';
import { formatDuration } from '../../core/util/duration.js';

/**
 * The `checks` input, a YAML document, read here rather than with the other inputs: its parser (and zod for
 * what the document holds) is the biggest thing the entry would otherwise load to refuse any input (preflight).
 * plan() runs before any request, so a bad document still changes nothing.
 */
function checksOf(yamlText: string): ChecksEntry[] {
  try {
    return parseChecks(yamlText);
  } catch (error) {
    if (error instanceof ChecksError) throw new ConfigurationError(`Input "checks": ${error.message}`);
    throw error;
  }
}

export interface MainDeps {
  log: Logger;
  /** GITHUB_WORKSPACE: a relative ca-cert path is read from here. */
  workspace: string;
  /** Requests in flight at once; the default suits every real gate (tests and the bench leave it alone). */
  concurrency?: number;
}

export interface HealthGateResult {
  status: HealthStatus;
  score: number;
  healthy: boolean;
  rollback: boolean;
  /** The report as JSON, secrets replaced by ***. */
  report: string;
  summary: string;
  /** Set when the status is fail-on or worse: the step fails after the outputs are written. */
  failure?: string;
  parsed: HealthReport;
}

/** What may be checked before any request: a bad input fails here, having touched nothing. */
export interface Plan {
  checks: Check[];
  ca?: string[];
  secrets: string[];
}

export function plan(inputs: HealthGateInputs, workspace: string): Plan {
  const entries = checksOf(inputs.checks);
  const url = inputs.url;
  if (!url && entries.length === 0) throw new ConfigurationError('Input "url": give url (the six built-in checks), checks, or both');
  if (inputs['marginal-score'] > inputs['pass-score']) {
    throw new ConfigurationError(`Input "marginal-score": must not be above pass-score (${inputs['pass-score']}), got ${inputs['marginal-score']}`);
  }
  if (inputs['initial-delay'] >= inputs.deadline) {
    throw new ConfigurationError(`Input "initial-delay": must be shorter than deadline (${formatDuration(inputs.deadline)}), got ${formatDuration(inputs['initial-delay'])}`);
  }
  let checks: Check[];
  try {
    checks = resolveChecks(entries, {
      baseUrl: url,
      attempts: inputs.attempts,
      intervalMs: inputs.interval,
      timeoutMs: inputs.timeout,
      prometheusUrl: inputs['prometheus-url'],
    });
  } catch (error) {
    if (error instanceof ChecksError) throw new ConfigurationError(`Input "checks": ${error.message}`);
    throw error;
  }
  if (checks.length === 0) throw new ConfigurationError('Input "checks": every check is disabled (enabled: false); nothing to run');
  // The gate's own budget is not the service's fault: a check whose measurements cannot all finish before the
  // deadline, even when every answer comes just within its timeout, is refused here rather than turned into a
  // verdict later. Errors retried beyond `count` can still run into the deadline; that ends INCONCLUSIVE.
  for (const c of checks) {
    const worst = worstCaseMs(c, inputs['initial-delay']);
    if (worst > inputs.deadline) {
      throw new ConfigurationError(
        `Input "deadline": ${formatDuration(inputs.deadline)} is too short for check "${c.name}": ${c.limits.count} attempt(s) of up to ${formatDuration(c.timeoutMs)} (timeout)` +
          `${c.limits.count > 1 ? ` ${formatDuration(c.intervalMs)} apart (interval)` : ''}${inputs['initial-delay'] ? ` after initial-delay ${formatDuration(inputs['initial-delay'])}` : ''} need up to ${formatDuration(worst)};` +
          ' raise deadline, or lower timeout, attempts (count) or interval',
      );
    }
  }
  const ca = inputs['ca-cert'] ? loadCa(inputs['ca-cert'], workspace) : undefined;
  const urls = [url, inputs['prometheus-url'], ...checks.map((c) => (c.type === 'http' ? c.url : undefined))];
  return { checks, ca, secrets: secretsOf([...inputs.headers, ...inputs['prometheus-headers']], urls) };
}

/** The longest a check takes when every measurement uses its whole timeout: initial delay, count answers, the intervals between. */
export function worstCaseMs(c: Check, initialDelayMs: number): number {
  return initialDelayMs + c.limits.count * c.timeoutMs + (c.limits.count - 1) * c.intervalMs;
}

/** Header values, the credential part of `Bearer x` / `Basic x` (and a Basic password), passwords in URLs. */
export function secretsOf(headers: readonly Header[], urls: readonly (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const h of headers) {
    out.push(h.value);
    const scheme = /^(\w+)\s+(\S.*)$/.exec(h.value);
    if (scheme) {
      out.push(scheme[2]!);
      if (scheme[1]!.toLowerCase() === 'basic') {
        const decoded = Buffer.from(scheme[2]!, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon >= 0) out.push(decoded.slice(colon + 1));
      }
    }
  }
  for (const u of urls) {
    if (!u) continue;
    try {
      const parsed = new URL(u);
      const user = safeDecode(parsed.username);
      if (parsed.password) {
        const password = safeDecode(parsed.password);
        // What the request carries and a server may echo back: `Authorization: Basic base64(user:password)`.
        out.push(password, parsed.password, Buffer.from(`${user}:${password}`, 'utf8').toString('base64'));
      } else if (parsed.username) {
        // `https://TOKEN@host`: a user name without a password is a token.
        out.push(user, parsed.username, Buffer.from(`${user}:`, 'utf8').toString('base64'));
      }
    } catch {
      // not a URL: nothing to hide
    }
  }
  return out.filter((s) => s.length > 0);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function loadCa(value: string, workspace: string): string[] {
  let pem = value;
  if (!value.includes('-----BEGIN')) {
    const path = resolve(workspace, value);
    try {
      pem = readFileSync(path, 'utf8');
    } catch (error) {
      throw new ConfigurationError(`Input "ca-cert": cannot read ${value} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new ConfigurationError('Input "ca-cert": no PEM certificate (-----BEGIN CERTIFICATE-----) found');
  for (const [i, b] of blocks.entries()) {
    try {
      new X509Certificate(b);
    } catch {
      throw new ConfigurationError(`Input "ca-cert": certificate ${i + 1} is not a valid PEM certificate`);
    }
  }
  return blocks;
}

/**
 * health-gate: runs the checks, scores them as seed 002, decides `rollback` (rollback-on) and whether the step
 * fails (fail-on). Plain values in and out; run.ts does the @actions/core part.
 */
export async function main(inputs: HealthGateInputs, deps: MainDeps): Promise<HealthGateResult> {
  const p = plan(inputs, deps.workspace);
  const redact = redactor(p.secrets);
  const log: Logger = {
    info: (m) => deps.log.info(redact(m)),
    warning: (m, where) => deps.log.warning(redact(m), where),
    debug: (m) => deps.log.debug(redact(m)),
  };
  const http = p.checks.filter((c) => c.type === 'http').length;
  const prom = p.checks.length - http;
  log.info(
    `health-gate: ${p.checks.length} check(s)${http ? `, ${http} HTTP${inputs.url ? ` against ${displayUrl(inputs.url)}` : ''}` : ''}${prom ? `, ${prom} Prometheus at ${displayUrl(inputs['prometheus-url']!)}` : ''}` +
      `; attempts ${inputs.attempts}, interval ${formatDuration(inputs.interval)}, timeout ${formatDuration(inputs.timeout)}, deadline ${formatDuration(inputs.deadline)}`,
  );
  const run: GateRun = await runGate({
    checks: p.checks,
    headers: headerRecord(inputs.headers),
    prometheus: inputs['prometheus-url'] ? { url: inputs['prometheus-url'], headers: headerRecord(inputs['prometheus-headers']), ca: p.ca } : undefined,
    ca: p.ca,
    initialDelayMs: inputs['initial-delay'],
    deadlineMs: inputs.deadline,
    concurrency: deps.concurrency,
    log,
  });
  const thresholds = { passScore: inputs['pass-score'], marginalScore: inputs['marginal-score'] };
  const score = scoreChecks(run.results, thresholds);
  const decision: Decision = {
    failOn: inputs['fail-on'],
    rollbackOn: inputs['rollback-on'],
    fail: atLeast(score.status, inputs['fail-on']),
    // Missing evidence alone never rolls back: Argo pauses on inconclusive, it does not abort.
    rollback: atLeast(score.status, inputs['rollback-on']) && !score.inconclusiveOnly,
  };
  if (score.inconclusiveOnly && atLeast(score.status, inputs['rollback-on'])) {
    score.reasons.push(`no rollback: ${score.status} only for lack of measurements, not because a check failed`);
  }
  const report = buildReport(run, score, decision, thresholds, inputs.deadline);
  if (run.deadlineHit) log.warning(`health-gate: deadline ${formatDuration(inputs.deadline)} reached while waiting for ${run.waitingFor.join(', ')}`);
  log.info(redact(verdictLine(report, decision).replace(/\*\*/g, '')));
  // Not failing the step but not healthy either: a warning annotation, so it is seen without opening the log.
  if (!decision.fail && score.status !== 'HEALTHY') log.warning(failureMessage(report, decision), { title: `health-gate: ${score.status}` });
  const safe = fitReport(redactDeep(report, redact));
  const json = JSON.stringify(safe);
  if (safe.trimmed) {
    const t = safe.trimmed;
    log.info(
      `health-gate: report trimmed from ${t.fullBytes} to ${Buffer.byteLength(json, 'utf8')} bytes (limit ${t.limitBytes}, so it can be passed on as another step's input): ` +
        `${t.attemptsOmitted} older attempt(s), ${t.samplesOmitted} sample(s)${t.checksOmitted ? `, ${t.checksOmitted} check(s)` : ''} left out; the verdicts and tallies are complete`,
    );
  }
  return {
    status: score.status,
    score: score.score,
    healthy: report.healthy,
    rollback: decision.rollback,
    report: json,
    summary: redact(renderSummary(report, decision)),
    ...(decision.fail ? { failure: redact(failureMessage(report, decision)) } : {}),
    parsed: safe,
  };
}
