import { ConfigurationError } from '../../core/action/errors.js';
import { splitList } from '../../core/action/inputs.js';

const NAME = /^[A-Za-z_][\w.-]*$/;

/**
 * `accuracy=0.913, rmse=0.121` → { accuracy: 0.913, rmse: 0.121 }. A flat JSON object is read too: training
 * scripts often write metrics.json, and `metrics: ${{ steps.eval.outputs.metrics }}` then passes it as is.
 */
export function parseMetrics(text: string): Record<string, number> {
  if (text.trim().startsWith('{')) return parseMetricsJson(text);
  const out: Record<string, number> = {};
  for (const item of splitList(text)) {
    const m = /^([^=\s]+)\s*=\s*(\S+)$/.exec(item);
    const value = m ? Number(m[2]) : NaN;
    if (!m || !NAME.test(m[1]!) || !Number.isFinite(value)) {
      throw new ConfigurationError(`Input "metrics": ${JSON.stringify(item)} is not name=number (e.g. accuracy=0.913)`);
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
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
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

/** `accuracy:higher=0.02, rmse:lower=0.05`. The direction is required: guessing it would be a silent bug. */
export function parseMaxRegression(text: string): RegressionLimit[] {
  return splitList(text).map((item) => {
    const m = /^([^:=\s]+)(?::(higher|lower))?\s*=\s*(\S+)$/.exec(item);
    if (!m || !NAME.test(m[1]!)) {
      throw new ConfigurationError(`Input "max-regression": ${JSON.stringify(item)} is not name:higher=fraction or name:lower=fraction`);
    }
    if (!m[2]) {
      throw new ConfigurationError(
        `Input "max-regression": ${JSON.stringify(item)} needs a direction: ${m[1]}:higher=${m[3]} (higher is better) or ${m[1]}:lower=${m[3]} (lower is better)`,
      );
    }
    const fraction = Number(m[3]);
    if (!Number.isFinite(fraction) || fraction < 0) {
      throw new ConfigurationError(`Input "max-regression": ${JSON.stringify(item)}: the fraction must be a number ≥ 0 (0.02 = 2 %)`);
    }
    return { metric: m[1]!, better: m[2] as 'higher' | 'lower', fraction };
  });
}

export interface RegressionVerdict {
  metric: string;
  baseline: number;
  candidate: number;
  /** Relative worsening (positive = worse); absolute when the baseline is 0. */
  worsening: number;
  limit: number;
  ok: boolean;
}

/** Compares candidate metrics with the current stable entry's; metrics missing from the baseline are not judged. */
export function checkRegressions(
  limits: RegressionLimit[],
  candidate: Record<string, number>,
  baseline: Record<string, number> | undefined,
): RegressionVerdict[] {
  const verdicts: RegressionVerdict[] = [];
  for (const limit of limits) {
    const c = candidate[limit.metric];
    if (c === undefined) {
      throw new ConfigurationError(`Input "max-regression": metric ${limit.metric} has no value in the metrics input`);
    }
    const b = baseline?.[limit.metric];
    if (b === undefined) continue;
    const delta = limit.better === 'higher' ? b - c : c - b;
    const worsening = b === 0 ? delta : delta / Math.abs(b);
    verdicts.push({ metric: limit.metric, baseline: b, candidate: c, worsening, limit: limit.fraction, ok: worsening <= limit.fraction + 1e-12 });
  }
  return verdicts;
}
