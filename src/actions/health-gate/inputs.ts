import type { SecretInputs } from '../../core/action/preflight.js';
import { choiceInput, defineInputs, integerInput, optionalString, refuse, text, type Field, type InputsOf } from '../../core/action/inputs.js';
import { parseHeaders, type Header } from '../../core/health/headers.js';
import { parseDuration } from '../../core/util/duration.js';

/** An absolute http(s) URL, or undefined when empty. Never echoed back: it may carry credentials. */
const urlInput = (): Field<string | undefined> => (v) => {
  if (v === '') return undefined;
  let u: URL | undefined;
  try {
    u = new URL(v);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '') return refuse('must be an absolute http:// or https:// URL');
  return u.toString();
};

const durationInput =
  (fallbackMs: number, positive: boolean): Field<number> =>
  (v) => {
    if (v === '') return fallbackMs;
    const ms = parseDuration(v);
    if (ms === undefined || (positive && ms <= 0)) return refuse(`must be a ${positive ? 'positive ' : ''}duration like "800ms", "10s" or "1m30s", got ${JSON.stringify(v)}`);
    return ms;
  };

/** `Name: value` lines; the values are secrets (run.ts masks each one). */
const headersInput = (): Field<Header[]> => (v) => {
  const r = parseHeaders(v);
  return r.ok ? r.value : refuse(r.error);
};

const LEVELS = ['critical', 'unhealthy', 'degraded', 'never'] as const;

/** health-gate's inputs, keyed exactly as in actions/health-gate/action.yml. */
export const inputSchema = defineInputs({
  url: urlInput(),
  // A YAML document: main.ts's plan() reads it, so that no bundle's entry loads a YAML parser.
  checks: text(),
  'prometheus-url': urlInput(),
  'prometheus-headers': headersInput(),
  headers: headersInput(),
  'ca-cert': optionalString(),
  attempts: integerInput(3, 1, 100),
  interval: durationInput(10_000, false),
  'initial-delay': durationInput(0, false),
  timeout: durationInput(30_000, true),
  deadline: durationInput(300_000, true),
  'pass-score': integerInput(80, 0, 100),
  'marginal-score': integerInput(60, 0, 100),
  'fail-on': choiceInput(LEVELS, 'unhealthy'),
  'rollback-on': choiceInput(LEVELS, 'unhealthy'),
});

export type HealthGateInputs = InputsOf<typeof inputSchema>;

/** Inputs whose values are secrets: masked as soon as they are read, and each header value again on its own. */
export const secretInputs: SecretInputs = { names: ['headers', 'prometheus-headers'] };

export const outputNames = ['status', 'score', 'healthy', 'rollback', 'report'] as const;
