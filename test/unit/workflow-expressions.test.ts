import { describe, expect, it } from 'vitest';
import {
  conditionExpression,
  evaluateCondition,
  evaluateValue,
  interpolateString,
  parseExpression,
  splitTemplate,
  type EvalContext,
} from '../support/workflow/expressions.js';
import { WorkflowError } from '../support/workflow/types.js';

const ok = { success: true, failure: false, cancelled: false };
const failed = { success: false, failure: true, cancelled: false };

function ctx(contexts: Record<string, unknown>, status = ok): EvalContext {
  return { contexts, status };
}

describe('workflow expressions: templates', () => {
  it('splits text and expressions, and a }} inside a string literal does not close the expression', () => {
    expect(splitTemplate("a ${{ format('{{0}} x', 'y') }} b ${{ 1 }}")).toEqual([
      { kind: 'text', value: 'a ' },
      { kind: 'expr', value: "format('{{0}} x', 'y')" },
      { kind: 'text', value: ' b ' },
      { kind: 'expr', value: '1' },
    ]);
    expect(interpolateString("${{ format('{{{0}}}', 'v') }}", 'step', ctx({}), 't')).toBe('{v}');
    expect(interpolateString("${{ 'it''s' }}", 'step', ctx({}), 't')).toBe("it's");
  });

  it('rejects an unterminated or empty expression', () => {
    expect(() => splitTemplate('${{ github.sha')).toThrow(WorkflowError);
    expect(() => splitTemplate('${{ }}')).toThrow(/empty/);
  });

  it('coerces values the way the runner does for strings', () => {
    const c = ctx({ github: { sha: 'abc' }, steps: { s: { outputs: { 'ledger-entry': '{"commit":"c1"}' } } } });
    expect(interpolateString('${{ true }}/${{ 3 }}/${{ null }}/${{ github.sha }}', 'step', c, 't')).toBe('true/3//abc');
    expect(interpolateString('${{ fromJSON(steps.s.outputs.ledger-entry).commit }}', 'step', c, 't')).toBe('c1');
    expect(() => interpolateString('${{ github }}', 'step', c, 't')).toThrow(/toJSON/);
    expect(interpolateString('${{ toJSON(github) }}', 'step', c, 't')).toBe('{\n  "sha": "abc"\n}');
  });

  it('evaluates GitHub functions: contains, startsWith, endsWith, format, join, fromJSON', () => {
    const c = ctx({ github: { ref: 'refs/heads/main', event: { labels: ['a', 'b'] } } });
    expect(evaluateValue("${{ contains(github.event.labels, 'b') }}", 'step', c, 't')).toBe(true);
    expect(evaluateValue("${{ startsWith(github.ref, 'refs/heads/') && endsWith(github.ref, 'main') }}", 'step', c, 't')).toBe(true);
    expect(evaluateValue("${{ join(github.event.labels, '+') }}", 'step', c, 't')).toBe('a+b');
    expect(evaluateValue("${{ fromJSON('[1,2]')[1] }}", 'step', c, 't')).toBe(2);
    expect(evaluateValue("${{ github.ref == 'refs/heads/main' && 'yes' || 'no' }}", 'step', c, 't')).toBe('yes');
  });

  it('parses with exactly the contexts GitHub allows at each place', () => {
    expect(() => parseExpression('secrets.X', 'job-if', 'jobs.a.if')).toThrow(/Unrecognized named-value: 'secrets'.*available here: github, needs, vars, inputs/);
    expect(() => parseExpression('env.X', 'job-env', 'jobs.a.env.Y')).toThrow(WorkflowError);
    expect(() => parseExpression('steps.a.outputs.b', 'workflow-env', 'env.Y')).toThrow(WorkflowError);
    expect(() => parseExpression('matrix.os', 'step', 'steps[0].run')).toThrow(/matrix/);
    expect(() => parseExpression('foo.bar', 'step', 'steps[0].run')).toThrow(WorkflowError);
    expect(() => parseExpression('success()', 'step', 'steps[0].run')).toThrow(/Unrecognized function/);
    expect(() => parseExpression("hashFiles('**/x')", 'step-if', 'steps[0].if')).not.toThrow();
    expect(() => parseExpression('noSuchFunction(1)', 'step', 'steps[0].run')).toThrow(/Unrecognized function/);
  });
});

describe('workflow expressions: if: conditions', () => {
  it('implies success() when no status function is called', () => {
    const c = ctx({ github: { ref: 'refs/heads/main' } });
    expect(evaluateCondition(undefined, 'step-if', c, 't')).toEqual({ expression: 'success()', value: true });
    expect(evaluateCondition("github.ref == 'refs/heads/main'", 'step-if', c, 't')).toEqual({
      expression: "success() && (github.ref == 'refs/heads/main')",
      value: true,
    });
    const afterFailure = ctx({ github: { ref: 'refs/heads/main' } }, failed);
    expect(evaluateCondition("github.ref == 'refs/heads/main'", 'step-if', afterFailure, 't').value).toBe(false);
    expect(evaluateCondition("failure() && github.ref == 'refs/heads/main'", 'step-if', afterFailure, 't').value).toBe(true);
    expect(evaluateCondition('always()', 'step-if', afterFailure, 't').value).toBe(true);
    expect(evaluateCondition('${{ !cancelled() }}', 'step-if', afterFailure, 't').value).toBe(true);
    expect(evaluateCondition(true, 'job-if', afterFailure, 't')).toEqual({ expression: 'success() && (true)', value: false });
  });

  it('unwraps ${{ }} and refuses text mixed with it (GitHub would see a non-empty string)', () => {
    expect(conditionExpression('${{ github.event_name == \'push\' }}', 't')).toBe("github.event_name == 'push'");
    expect(() => conditionExpression("${{ github.event_name }} == 'push'", 't')).toThrow(/always true/);
  });

  it('status functions only exist in if:', () => {
    expect(() => parseExpression('failure()', 'job-outputs', 't')).toThrow(/Unrecognized function/);
    expect(() => parseExpression('always()', 'job-if', 't')).not.toThrow();
  });
});

describe('workflow expressions: hashFiles', () => {
  it('hashes matching files like GitHub (sha256 of the sorted files’ sha256), empty when nothing matches', async () => {
    const { mkdtempSync, writeFileSync, mkdirSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createHash } = await import('node:crypto');
    const dir = mkdtempSync(join(tmpdir(), 'greenline-hash-'));
    try {
      mkdirSync(join(dir, 'a'));
      writeFileSync(join(dir, 'a', 'x.lock'), 'one');
      writeFileSync(join(dir, 'y.lock'), 'two');
      writeFileSync(join(dir, 'z.txt'), 'three');
      const inner = (s: string) => createHash('sha256').update(s).digest();
      const expected = createHash('sha256').update(inner('one')).update(inner('two')).digest('hex');
      const c: EvalContext = { contexts: {}, workspace: dir };
      expect(interpolateString("${{ hashFiles('**/*.lock') }}", 'step', c, 't')).toBe(expected);
      expect(interpolateString("${{ hashFiles('**/*.lock', '!a/**') }}", 'step', c, 't')).toBe(createHash('sha256').update(inner('two')).digest('hex'));
      expect(interpolateString("${{ hashFiles('*.none') }}", 'step', c, 't')).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
