import { runAction, type RunResult } from '../harness.js';
import type { HealthReport } from '../../../src/core/health/report.js';

/** Fast settings for tests: one attempt, short interval, short timeout. Each test overrides what it is about. */
export const FAST = { attempts: '1', interval: '50ms', timeout: '5s' } as const;

export interface GateRun extends RunResult {
  report: HealthReport;
}

/** Runs dist/health-gate exactly as the runner does (through the harness) and parses the report output. */
export async function gate(inputs: Record<string, string>, options: { env?: Record<string, string>; workspace?: string } = {}): Promise<GateRun> {
  const result = await runAction('health-gate', { inputs: { ...FAST, ...inputs }, ...options });
  let report: HealthReport;
  try {
    report = JSON.parse(result.outputs.report ?? 'null') as HealthReport;
  } catch {
    throw new Error(`health-gate wrote no valid report (exit ${result.code})\n${result.stdout}\n${result.stderr}`);
  }
  return { ...result, report };
}

/** The verdict of one check in a report. */
export function verdicts(report: HealthReport | null): Record<string, string> {
  return Object.fromEntries((report?.checks ?? []).map((c) => [c.name, c.verdict]));
}

export function check(report: HealthReport, name: string) {
  const c = report.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check ${name} in the report: ${report.checks.map((x) => x.name).join(', ')}`);
  return c;
}
