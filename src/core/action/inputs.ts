import { z } from 'zod';
import { ConfigurationError } from './errors.js';

/** Reads the raw (already trimmed) value of one input, as `core.getInput` does. */
export type InputReader = (name: string) => string;

/**
 * Parses every key of an action's schema (kebab-case names, as in its action.yml) from the reader.
 * The first problem becomes a ConfigurationError naming the input: `Input "tags": must not be empty`.
 */
export function parseInputs<S extends z.ZodObject>(schema: S, read: InputReader): z.infer<S> {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) raw[key] = read(key);
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? '?');
  throw new ConfigurationError(`Input "${name}": ${describeIssue(issue, raw[name])}`);
}

function describeIssue(issue: z.core.$ZodIssue, value: string | undefined): string {
  if (issue.code === 'invalid_value' && 'values' in issue) {
    return `must be one of ${(issue.values as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value ?? '')}`;
  }
  return issue.message;
}

// ---- reusable field types (all inputs arrive as strings) ----

const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

/** The YAML 1.2 core schema booleans, exactly the set `core.getBooleanInput` accepts. */
export const booleanInput = (fallback: boolean) =>
  z.string().transform((v, ctx) => {
    if (v === '') return fallback;
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
    ctx.addIssue({ code: 'custom', message: `must be true or false, got ${JSON.stringify(v)}` });
    return z.NEVER;
  });

export const optionalString = () => z.string().transform((v) => (v === '' ? undefined : v));

export const requiredString = () => z.string().min(1, { message: 'is required' });

export const choiceInput = <T extends string>(values: readonly [T, ...T[]], fallback: T) =>
  z.string().transform((v, ctx) => {
    if (v === '') return fallback;
    if ((values as readonly string[]).includes(v)) return v as T;
    ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}, got ${JSON.stringify(v)}` });
    return z.NEVER;
  });

/** Comma- or newline-separated list; blanks dropped. */
export function splitList(v: string): string[] {
  return v
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export const listInput = () => z.string().transform(splitList);

export const integerInput = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.string().transform((v, ctx) => {
    if (v === '') return fallback;
    if (!/^\d+$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    const n = Number(v);
    if (n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}, got ${n}` });
      return z.NEVER;
    }
    return n;
  });

export const SHA_RE = /^[0-9a-f]{40}$/;
export const shaInput = () =>
  z.string().transform((v, ctx) => {
    if (v === '') return undefined;
    const lower = v.toLowerCase();
    if (!SHA_RE.test(lower)) {
      ctx.addIssue({ code: 'custom', message: `must be a full 40-character hexadecimal commit SHA, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return lower;
  });

/** A path inside the repository: relative, no `..`, no control characters, of a sane length. */
export const repoPathInput = () =>
  z.string().transform((v, ctx) => {
    const p = v.replace(/^\.\//, '');
    // eslint-disable-next-line no-control-regex -- control characters are what is being refused
    const bad = p === '' ? 'is required' : p.length > 1024 ? 'is longer than 1024 characters' : /[\x00-\x1f\x7f]/.test(p) ? 'contains control characters' : p.startsWith('/') ? 'must be relative to the repository root' : p.split('/').some((s) => s === '..' || s === '') ? 'must not contain .. or empty segments' : undefined;
    if (bad) {
      ctx.addIssue({ code: 'custom', message: bad });
      return z.NEVER;
    }
    return p;
  });

/** An optional branch name, as `git check-ref-format --branch` would accept it, of a sane length. */
export const branchInput = () =>
  z.string().transform((v, ctx) => {
    if (v === '') return undefined;
    const b = v.replace(/^refs\/heads\//, '');
    // eslint-disable-next-line no-control-regex -- control characters are what is being refused
    const bad = b.length > 255 || /(^[.\-/])|([/.]$)|(\.\.)|([\s~^:?*[\\\x00-\x1f\x7f])|(@\{)|(\/\/)|(\.lock$)|(\/\.)/.test(b) || b === '@';
    if (bad) {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v)} is not a valid branch name` });
      return z.NEVER;
    }
    return b;
  });
