/**
 * Conditions compare one number with a threshold: `> 0.01`, `>= 0.99`, `!= 0`. Evaluated in the action,
 * never in PromQL (a PromQL comparison filters the vector and turns "healthy" into an empty result).
 */
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';

export interface Condition {
  op: Operator;
  threshold: number;
  /** Normalised text, e.g. `> 0.01`. */
  text: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

const CONDITION_RE = /^\s*(<=|>=|==|!=|<|>|=)\s*(\S+)\s*$/;

/** Parses `> 0.01`. Argo-style `result[0] >= 0.99` gets a hint instead of a guess. */
export function parseCondition(text: string): ParseResult<Condition> {
  const t = text.trim();
  const shown = JSON.stringify(text);
  if (/^result\b/.test(t)) {
    return { ok: false, error: `write only the comparison (the value is implied), like ">= 0.99", got ${shown}` };
  }
  const m = CONDITION_RE.exec(t);
  if (!m) return { ok: false, error: `must be an operator (< <= > >= == !=) and a number, like "> 0.01", got ${shown}` };
  const op = (m[1] === '=' ? '==' : m[1]) as Operator;
  const threshold = parseNumber(m[2]!);
  if (threshold === undefined) return { ok: false, error: `must compare with a number, like "> 0.01", got ${shown}` };
  if (Number.isNaN(threshold)) return { ok: false, error: `cannot compare with NaN (nothing equals NaN); use on-nan, got ${shown}` };
  return { ok: true, value: { op, threshold, text: `${op} ${formatNumber(threshold)}` } };
}

/** IEEE comparison: every comparison with NaN is false, except `!=`. */
export function evaluateCondition(condition: Condition, value: number): boolean {
  const t = condition.threshold;
  switch (condition.op) {
    case '<':
      return value < t;
    case '<=':
      return value <= t;
    case '>':
      return value > t;
    case '>=':
      return value >= t;
    case '==':
      return value === t;
    case '!=':
      return value !== t;
  }
}

/**
 * A number as Prometheus writes it (`"NaN"`, `"+Inf"`, `"-Inf"`, `"1.5e-05"`) or as a user writes a
 * threshold (`0.01`, `1e-3`, `Inf`). Undefined when it is not a number.
 */
export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (/^nan$/i.test(t)) return Number.NaN;
  const inf = /^([+-]?)inf(inity)?$/i.exec(t);
  if (inf) return inf[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return undefined;
  return Number(t);
}

/** The way Prometheus writes numbers: NaN, +Inf, -Inf, otherwise the shortest decimal. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

/** For people: at most 10 significant digits (0.050000000000000024 is shown as 0.05); NaN and infinities as Prometheus writes them. */
export function displayNumber(n: number): string {
  if (!Number.isFinite(n)) return formatNumber(n);
  return String(Number(n.toPrecision(10)));
}

/** A value for JSON: finite numbers stay numbers, NaN and infinities become their Prometheus strings. */
export function jsonNumber(n: number): number | string {
  return Number.isFinite(n) ? n : formatNumber(n);
}
