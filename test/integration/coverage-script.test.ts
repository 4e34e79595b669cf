/**
 * script/coverage.mjs: the e2e runs of a bundle count for the src/ lines they executed, and only those. One bundle
 * (health-gate) is built with source maps, run through the harness once with a bad input (it refuses it in
 * parseInputs and never reaches the gate), and the report is read back against a denominator of three lines.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/action-yml.js';
import { NODE24, runAction } from '../support/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'greenline-coverage-'));
const env = { ...process.env, GREENLINE_COVERAGE_WORK: join(dir, 'work'), GREENLINE_COVERAGE_REPORTS: join(dir, 'reports') };
const script = (...args: string[]) => spawnSync(NODE24, [join(ROOT, 'script/coverage.mjs'), ...args], { cwd: ROOT, env, encoding: 'utf8' });

/** The 1-based line of `file` (under src/) that contains `text`; fails when it is not exactly one line. */
function lineOf(file: string, text: string): number {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const at = lines.flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
  expect(at, `${file}: ${text}`).toHaveLength(1);
  return at[0]!;
}

/** A coverage-final.json as vitest writes it, with one statement per line given, none run in-process. */
function denominator(lines: { file: string; line: number }[]) {
  const out: Record<string, { path: string; statementMap: Record<string, unknown>; s: Record<string, number> }> = {};
  for (const [i, { file, line }] of lines.entries()) {
    const path = join(ROOT, file);
    const fc = (out[path] ??= { path, statementMap: {}, s: {} });
    fc.statementMap[String(i)] = { start: { line, column: 0 }, end: { line, column: 1 } };
    fc.s[String(i)] = 0;
  }
  return out;
}

describe('script/coverage.mjs', () => {
  beforeAll(() => {
    const r = script('prepare', 'health-gate');
    if (r.status !== 0) throw new Error(`prepare failed:\n${r.stdout}${r.stderr}`);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts the lines a bundle run executed, not the ones it never reached', async () => {
    const raw = join(dir, 'work', 'raw');
    const before = process.env.GREENLINE_CHILD_COVERAGE;
    process.env.GREENLINE_CHILD_COVERAGE = raw;
    try {
      const r = await runAction('health-gate', { inputs: { attempts: 'many' } });
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/Input "attempts"/);
    } finally {
      if (before === undefined) delete process.env.GREENLINE_CHILD_COVERAGE;
      else process.env.GREENLINE_CHILD_COVERAGE = before;
    }
    expect(readdirSync(raw).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(0);

    const refused = { file: 'src/core/action/inputs.ts', line: lineOf('src/core/action/inputs.ts', 'throw new ConfigurationError(`Input "${name}"') };
    const parsed = { file: 'src/core/action/inputs.ts', line: lineOf('src/core/action/inputs.ts', 'parsed[name] = field(raw.get(name)!);') };
    const gate = { file: 'src/core/health/gate.ts', line: lineOf('src/core/health/gate.ts', 'const controller = new AbortController();') };
    mkdirSync(join(dir, 'reports'), { recursive: true });
    writeFileSync(join(dir, 'reports', 'coverage-final.json'), JSON.stringify(denominator([refused, parsed, gate])));

    const report = script('report', '--uncovered', gate.file);
    // Two of three lines is under the threshold: the script says so and exits 1, having written the summary.
    expect(report.status, report.stdout + report.stderr).toBe(1);
    expect(report.stderr).toMatch(/under the threshold/);
    const summary = JSON.parse(readFileSync(join(dir, 'reports', 'combined-summary.json'), 'utf8'));
    expect(summary.bundleRuns).toBeGreaterThan(0);
    expect(summary.inProcessOnly.covered).toBe(0);
    expect(summary.lines).toMatchObject({ total: 3, covered: 2 });
    const byFile = Object.fromEntries(summary.files.map((f: { file: string; covered: number }) => [f.file, f.covered]));
    expect(byFile).toEqual({ [refused.file]: 2, [gate.file]: 0 });
    expect(report.stdout).toContain(`${gate.file}:${gate.line}: const controller = new AbortController();`);
  }, 120_000);
});
