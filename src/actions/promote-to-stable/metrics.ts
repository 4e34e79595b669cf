import { ConfigurationError } from '../../core/action/errors.js';
import { splitList } from '../../core/action/inputs.js';

const NAME = /^[A-Za-z_][\w.-]*$/;
/**
 * A decimal number as people write metrics: 0.913, -2, .5, 1e-3. Not what JavaScript's Number() also
 * takes (0x10, 0b1, 0o7, Infinity, an empty string): a metric written 0x10 is a mistake, not 16.
 */
const DECIMAL = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The number a decimal text says, or NaN. */
export function decimal(text: string): number {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : NaN;
}

/**
 * `accuracy=0.913, rmse=0.121` → { accuracy: 0.913, rmse: 0.121 }. A flat JSON object is read too: training
 * scripts often write metrics.json, and `metrics: ${{ steps.eval.outputs.metrics }}` then passes it as is.
 */
export function parseMetrics(text: string): Record<string, number> {
  if (text.trim().startsWith('{')) return parseMetricsJson(text);
  const out: Record<string, number> = {};
  for (const item of splitList(text)) {
    const m = /^([^=\s]+)\s*=\s*(\S+)$/.exec(item);
    const value = m ? decimal(m[2]!) : NaN;
    if (!m || !NAME.test(m[1]!) || !Number.isFinite(value)) {
      throw new ConfigurationError(`Input "metrics": ${JSON.stringify(item)} is not name=number (a decimal number, e.g. accuracy=0.913)`);
    }
    if (m[1]! in out) throw new ConfigurationError(`Input "metrics": ${m[1]} is given twice`);
    out[m[1]!] = value;
  }
  return out;
}

function parseMetricsJson(text: string): Record<string, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`Input "metrics": looks like JSON but is not valid JSON (${(error as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigurationError('Input "metrics": JSON metrics must be an object of name: number');
  }
  const out: Record<string, number> = {};
  for (const [name, raw] of Object.entries(parsed)) {
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' ? decimal(raw) : NaN;
    if (!NAME.test(name) || !Number.isFinite(value)) {
      throw new ConfigurationError(`Input "metrics": ${JSON.stringify(name)}: ${JSON.stringify(raw)} is not name: number (e.g. {"accuracy": 0.913})`);
    }
    out[name] = value;
  }
  return out;
}

export interface RegressionLimit {
  metric: string;
  better: 'higher' | 'lower';
  /** Largest allowed relative worsening, e.g. 0.02 = 2 %. */
  fraction: number;
}

/** What the gate does when the baseline entry has no value for a gated metric. */
export type OnMissing = 'fail' | 'warn' | 'skip';

export interface RegressionGate {
  limits: RegressionLimit[];
  /** `on-missing: fail` (default): a gated metric the baseline lacks refuses the promotion. */
  onMissing: OnMissing;
}

/**
 * `accuracy:higher=0.02, rmse:lower=0.05`, optionally with `on-missing: fail | warn | skip` (also
 * `on-missing=warn`) among the items. The direction is required: guessing it would be a silent bug.
 */
export function parseRegressionGate(text: string): RegressionGate {
  let onMissing: OnMissing | undefined;
  const limits: RegressionLimit[] = [];
  for (const item of splitList(text)) {
    const policy = /^on-missing\s*[:=]\s*(\S*)$/i.exec(item);
    if (policy) {
      const v = policy[1]!.toLowerCase();
      if (v !== 'fail' && v !== 'warn' && v !== 'skip') {
        throw new ConfigurationError(`Input "max-regression": on-missing must be fail, warn or skip, not ${JSON.stringify(policy[1])}`);
      }
      if (onMissing !== undefined) throw new ConfigurationError('Input "max-regression": on-missing is given twice');
      onMissing = v;
      continue;
    }
    limits.push(parseLimit(item));
  }
  if (onMissing !== undefined && limits.length === 0) {
    throw new ConfigurationError('Input "max-regression": on-missing says what to do with a metric the baseline lacks, but no metric is gated');
  }
  return { limits, onMissing: onMissing ?? 'fail' };
}

/** The limits alone (see parseRegressionGate). */
export function parseMaxRegression(text: string): RegressionLimit[] {
  return parseRegressionGate(text).limits;
}

function parseLimit(item: string): RegressionLimit {
  const m = /^([^:=\s]+)(?::(higher|lower))?\s*=\s*(\S+)$/.exec(item);
  if (!m || !NAME.test(m[1]!)) {
    throw new ConfigurationError(`Input "max-regression": ${JSON.stringify(item)} is not name:higher=fraction or name:lower=fraction`);
  }
  if (!m[2]) {
    throw new ConfigurationError(
      `Input "max-regression": ${JSON.stringify(item)} needs a direction: ${m[1]}:higher=${m[3]} (higher is better) or ${m[1]}:lower=${m[3]} (lower is better)`,
    );
  }
  const fraction = decimal(m[3]!);
  if (!Number.isFinite(fraction) || fraction < 0) {
    throw new ConfigurationError(`Input "max-regression": ${JSON.stringify(item)}: the fraction must be a decimal number ≥ 0 (0.02 = 2 %)`);
  }
  return { metric: m[1]!, better: m[2] as 'higher' | 'lower', fraction };
}

export interface RegressionVerdict {
  metric: string;
  /** Undefined when the baseline entry has no value for the metric (then `missing` says what was done). */
  baseline?: number;
  candidate: number;
  /** Relative worsening (positive = worse); absolute when the baseline is 0. */
  worsening: number;
  limit: number;
  ok: boolean;
  /** The baseline lacks the metric: `fail` refused, `warn` let through with a warning, `skip` let through. */
  missing?: OnMissing;
}

/**
 * Compares candidate metrics with the baseline entry's (the build the tag serves). No baseline entry at all
 * (the tag's first promotion): nothing to compare, no verdict. A baseline entry without a gated metric: a
 * verdict with `missing`, failing unless `onMissing` lets it through — a gate that silently judged nothing
 * would promote any regression.
 */
export function checkRegressions(
  limits: RegressionLimit[],
  candidate: Record<string, number>,
  baseline: Record<string, number> | undefined,
  onMissing: OnMissing = 'fail',
): RegressionVerdict[] {
  const verdicts: RegressionVerdict[] = [];
  for (const limit of limits) {
    const c = candidate[limit.metric];
    if (c === undefined) {
      throw new ConfigurationError(`Input "max-regression": metric ${limit.metric} has no value in the metrics input`);
    }
    if (baseline === undefined) continue;
    const b = baseline[limit.metric];
    if (b === undefined) {
      verdicts.push({ metric: limit.metric, candidate: c, worsening: 0, limit: limit.fraction, ok: onMissing !== 'fail', missing: onMissing });
      continue;
    }
    const delta = limit.better === 'higher' ? b - c : c - b;
    const worsening = b === 0 ? delta : delta / Math.abs(b);
    verdicts.push({ metric: limit.metric, baseline: b, candidate: c, worsening, limit: limit.fraction, ok: worsening <= limit.fraction + 1e-12 });
  }
  return verdicts;
}
