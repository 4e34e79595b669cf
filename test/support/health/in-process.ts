import { parseChecks, resolveChecks } from '../../../src/core/health/checks-config.js';
import { runGate, type GateRun } from '../../../src/core/health/gate.js';
import { scoreChecks, type Score } from '../../../src/core/health/scoring.js';
import type { CheckResult } from '../../../src/core/health/types.js';
import { recordingLogger } from '../../../src/core/action/log.js';

export interface InProcessOptions {
  url?: string;
  prometheusUrl?: string;
  headers?: Record<string, string>;
  ca?: string[];
  attempts?: number;
  intervalMs?: number;
  timeoutMs?: number;
  deadlineMs?: number;
  concurrency?: number;
}

/** The core of health-gate (checks YAML → checks → gate → score) in this process, against real services. */
export async function runChecks(yaml: string, o: InProcessOptions = {}): Promise<{ run: GateRun; score: Score; byName: (name: string) => CheckResult; log: string[]; warnings: string[] }> {
  const checks = resolveChecks(parseChecks(yaml), {
    baseUrl: o.url,
    attempts: o.attempts ?? 1,
    intervalMs: o.intervalMs ?? 50,
    timeoutMs: o.timeoutMs ?? 5000,
    prometheusUrl: o.prometheusUrl,
  });
  const log = recordingLogger();
  const run = await runGate({
    checks,
    headers: o.headers ?? {},
    prometheus: o.prometheusUrl ? { url: o.prometheusUrl, headers: {}, ca: o.ca } : undefined,
    ca: o.ca,
    initialDelayMs: 0,
    deadlineMs: o.deadlineMs ?? 60_000,
    concurrency: o.concurrency,
    log,
  });
  const score = scoreChecks(run.results, { passScore: 80, marginalScore: 60 });
  const byName = (name: string) => {
    const r = run.results.find((x) => x.name === name);
    if (!r) throw new Error(`no result for ${name}`);
    return r;
  };
  return { run, score, byName, log: log.lines, warnings: log.warnings };
}
