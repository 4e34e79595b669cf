import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayNumber, evaluateCondition, formatNumber, jsonNumber, parseCondition, parseNumber } from '../../src/core/health/condition.js';
import { evaluateMeasurement } from '../../src/core/health/limits.js';

const cond = (text: string) => {
  const r = parseCondition(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

describe('parseCondition', () => {
  it.each([
    ['> 0.01', '>', 0.01],
    ['>= 0.99', '>=', 0.99],
    ['<0.5', '<', 0.5],
    ['<= 100', '<=', 100],
    ['== 1', '==', 1],
    ['= 1', '==', 1],
    ['!= 0', '!=', 0],
    ['> 1e-3', '>', 0.001],
    ['< +Inf', '<', Infinity],
    ['> -Inf', '>', -Infinity],
    ['  >   -2.5  ', '>', -2.5],
  ])('%s', (text, op, threshold) => {
    expect(cond(text)).toMatchObject({ op, threshold });
  });

  it('normalises its text', () => {
    expect(cond('>=0.990').text).toBe('>= 0.99');
    expect(cond('< inf').text).toBe('< +Inf');
  });

  it.each([
    ['above 0.01', 'must be an operator (< <= > >= == !=) and a number, like "> 0.01", got "above 0.01"'],
    ['> abc', 'must compare with a number, like "> 0.01", got "> abc"'],
    ['>', 'must be an operator (< <= > >= == !=) and a number, like "> 0.01", got ">"'],
    ['=> 1', 'must be an operator (< <= > >= == !=) and a number, like "> 0.01", got "=> 1"'],
    ['>= 0.99 and < 2', 'must be an operator (< <= > >= == !=) and a number, like "> 0.01", got ">= 0.99 and < 2"'],
    ['== NaN', 'cannot compare with NaN (nothing equals NaN); use on-nan, got "== NaN"'],
    ['result[0] >= 0.99', 'write only the comparison (the value is implied), like ">= 0.99", got "result[0] >= 0.99"'],
    ['', 'must be an operator (< <= > >= == !=) and a number, like "> 0.01", got ""'],
  ])('refuses %j', (text, error) => {
    expect(parseCondition(text)).toEqual({ ok: false, error });
  });
});

describe('numbers as Prometheus writes them', () => {
  it('parses NaN, +Inf, -Inf and exponents', () => {
    expect(parseNumber('NaN')).toBeNaN();
    expect(parseNumber('+Inf')).toBe(Infinity);
    expect(parseNumber('-Inf')).toBe(-Infinity);
    expect(parseNumber('Inf')).toBe(Infinity);
    expect(parseNumber('1.5e-05')).toBe(0.000015);
    expect(parseNumber('0.049999')).toBe(0.049999);
    expect(parseNumber('')).toBeUndefined();
    expect(parseNumber('12abc')).toBeUndefined();
    expect(parseNumber('0x10')).toBeUndefined();
  });

  it('formats them back and keeps JSON valid', () => {
    expect([NaN, Infinity, -Infinity, 0.5].map(formatNumber)).toEqual(['NaN', '+Inf', '-Inf', '0.5']);
    expect(JSON.stringify([NaN, Infinity, 2].map(jsonNumber))).toBe('["NaN","+Inf",2]');
  });

  it('shows people at most 10 significant digits', () => {
    expect([0.050000000000000024, 0.0100000001, 12, NaN, -Infinity].map(displayNumber)).toEqual(['0.05', '0.0100000001', '12', 'NaN', '-Inf']);
  });

  it('round-trips every double through format and parse', () => {
    fc.assert(
      fc.property(fc.double(), (d) => {
        const back = parseNumber(formatNumber(d))!;
        return Number.isNaN(d) ? Number.isNaN(back) : Object.is(back, d) || (d === 0 && back === 0);
      }),
    );
  });
});

describe('evaluateCondition', () => {
  it('compares like IEEE doubles: NaN satisfies only !=', () => {
    for (const op of ['<', '<=', '>', '>=', '=='] as const) expect(evaluateCondition({ op, threshold: 1, text: '' }, NaN)).toBe(false);
    expect(evaluateCondition(cond('!= 1'), NaN)).toBe(true);
  });

  it('handles infinities', () => {
    expect(evaluateCondition(cond('> 0.01'), Infinity)).toBe(true);
    expect(evaluateCondition(cond('>= 0.99'), -Infinity)).toBe(false);
    expect(evaluateCondition(cond('< +Inf'), Infinity)).toBe(false);
  });

  it('agrees with JavaScript for any value and threshold', () => {
    const ops = { '<': (a: number, b: number) => a < b, '<=': (a: number, b: number) => a <= b, '>': (a: number, b: number) => a > b, '>=': (a: number, b: number) => a >= b, '==': (a: number, b: number) => a === b, '!=': (a: number, b: number) => a !== b };
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(ops) as (keyof typeof ops)[])), fc.double({ noNaN: true }), fc.double(), (op, t, v) => {
        const c = cond(`${op} ${formatNumber(t)}`);
        return evaluateCondition(c, v) === ops[op](v, t);
      }),
    );
  });
});

describe('one measurement against the conditions (Argo evaluate.EvaluateResult)', () => {
  const s = cond('>= 0.99');
  const f = cond('< 0.9');
  it('only success-if: not-success is FAIL', () => {
    expect(evaluateMeasurement(0.995, s, undefined)).toBe('PASS');
    expect(evaluateMeasurement(0.95, s, undefined)).toBe('FAIL');
    expect(evaluateMeasurement(NaN, s, undefined)).toBe('FAIL');
  });
  it('only fail-if: not-failure is PASS', () => {
    expect(evaluateMeasurement(0.95, undefined, f)).toBe('PASS');
    expect(evaluateMeasurement(0.5, undefined, f)).toBe('FAIL');
  });
  it('both: failure wins, then success, neither is INCONCLUSIVE', () => {
    expect(evaluateMeasurement(0.995, s, f)).toBe('PASS');
    expect(evaluateMeasurement(0.5, s, f)).toBe('FAIL');
    expect(evaluateMeasurement(0.95, s, f)).toBe('INCONCLUSIVE');
    expect(evaluateMeasurement(2, cond('> 1'), cond('> 1'))).toBe('FAIL');
  });
  it('neither condition passes (Argo); greenline refuses that configuration before it gets here', () => {
    expect(evaluateMeasurement(42, undefined, undefined)).toBe('PASS');
  });
});
