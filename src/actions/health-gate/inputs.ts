import { z } from 'zod';
import type { SecretInputs } from '../../core/action/preflight.js';
import { choiceInput, integerInput, optionalString } from '../../core/action/inputs.js';
import { ChecksError, parseChecks } from '../../core/health/checks-config.js';
import { parseHeaders } from '../../core/health/headers.js';
import { parseDuration } from '../../core/util/duration.js';

/** An absolute http(s) URL, or undefined when empty. Never echoed back: it may carry credentials. */
const urlInput = () =>
  z.string().transform((v, ctx) => {
    if (v === '') return undefined;
    let u: URL | undefined;
    try {
      u = new URL(v);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '') {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute http:// or https:// URL' });
      return z.NEVER;
    }
    return u.toString();
  });

const durationInput = (fallbackMs: number, positive: boolean) =>
  z.string().transform((v, ctx) => {
    if (v === '') return fallbackMs;
    const ms = parseDuration(v);
    if (ms === undefined || (positive && ms <= 0)) {
      ctx.addIssue({ code: 'custom', message: `must be a ${positive ? 'positive ' : ''}duration like "800ms", "10s" or "1m30s", got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return ms;
  });

/** `Name: value` lines; the values are secrets (run.ts masks each one). */
const headersInput = () =>
  z.string().transform((v, ctx) => {
    const r = parseHeaders(v);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.error });
      return z.NEVER;
    }
    return r.value;
  });

const checksInput = () =>
  z.string().transform((v, ctx) => {
    try {
      return parseChecks(v);
    } catch (error) {
      if (!(error instanceof ChecksError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
      return z.NEVER;
    }
  });

const LEVELS = ['critical', 'unhealthy', 'degraded', 'never'] as const;

/** health-gate's inputs, keyed exactly as in actions/health-gate/action.yml. */
export const inputSchema = z.object({
  url: urlInput(),
  checks: checksInput(),
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

export type HealthGateInputs = z.infer<typeof inputSchema>;

/** Inputs whose values are secrets: masked as soon as they are read, and each header value again on its own. */
export const secretInputs: SecretInputs = { names: ['headers', 'prometheus-headers'] };

export const outputNames = ['status', 'score', 'healthy', 'rollback', 'report'] as const;
