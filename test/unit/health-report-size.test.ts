import { describe, expect, it } from 'vitest';
import { fitReport } from '../../src/core/health/report-size.js';
import type { HealthReport } from '../../src/core/health/report.js';
import type { Attempt, CheckResult } from '../../src/core/health/types.js';

const attempt = (n: number, samples = 0): Attempt => ({
  n,
  startedAt: '2026-01-01T00:00:00Z',
  outcome: 'PASS',
  reason: 'ok',
  message: 'value 0.001',
  latencyMs: 3,
  ...(samples ? { samples: Array.from({ length: samples }, (_, i) => ({ labels: { pod: `web-${i}-7d9f8c6b5-x2k4q`, namespace: 'production', container: 'app' }, value: '0.001' })) } : {}),
});

const result = (name: string, verdict: CheckResult['verdict'], attempts: Attempt[]): CheckResult => ({
  name,
  type: 'prometheus',
  critical: false,
  criticalFailure: false,
  verdict,
  decidedBy: 'count',
  reason: verdict === 'PASS' ? 'ok' : 'fail-if',
  message: 'x',
  warnings: [],
  limits: { count: attempts.length, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 },
  tally: { pass: attempts.length, fail: 0, inconclusive: 0, error: 0 },
  attempts,
});

const report = (checks: CheckResult[]): HealthReport => ({
  version: 1,
  status: 'HEALTHY',
  score: 100,
  healthy: true,
  rollback: false,
  reasons: [],
  counts: { total: checks.length, passed: checks.length, failed: 0, errored: 0, inconclusive: 0, counted: checks.length, ratio: 100 },
  settings: { passScore: 80, marginalScore: 60, failOn: 'unhealthy', rollbackOn: 'unhealthy', deadlineMs: 300000 },
  startedAt: '2026-01-01T00:00:00Z',
  durationMs: 1,
  deadline: { hit: false, waitingFor: [] },
  checks,
});

const bytes = (r: HealthReport) => Buffer.byteLength(JSON.stringify(r));

describe('fitReport', () => {
  it('returns a report that fits untouched', () => {
    const r = report([result('a', 'PASS', [attempt(1)])]);
    expect(fitReport(r)).toBe(r);
  });

  it('drops the samples of older attempts first, keeping every attempt and the last samples', () => {
    const r = report([result('error-rate', 'PASS', Array.from({ length: 10 }, (_, i) => attempt(i + 1, 20)))]);
    const limit = bytes(r) - 1000;
    const f = fitReport(r, limit);
    expect(bytes(f)).toBeLessThanOrEqual(limit);
    expect(f.checks[0]!.attempts).toHaveLength(10);
    expect(f.checks[0]!.attempts[9]!.samples).toHaveLength(20);
    expect(f.checks[0]!.attempts[0]!.samples).toBeUndefined();
    expect(f.trimmed).toMatchObject({ samplesOmitted: 180, attemptsOmitted: 0, checksOmitted: 0 });
  });

  it('with hundreds of checks, drops passing checks before failing ones', () => {
    const checks = Array.from({ length: 400 }, (_, i) => result(`check-${i}`, i === 399 ? 'FAIL' : 'PASS', [attempt(1)]));
    const f = fitReport(report(checks), 16 * 1024);
    expect(bytes(f)).toBeLessThanOrEqual(16 * 1024);
    expect(f.checks.at(-1)!.name).toBe('check-399');
    expect(f.trimmed!.checksOmitted).toBe(400 - f.checks.length);
  });
});
