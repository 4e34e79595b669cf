import { ConfigurationError } from './errors.js';

/**
 * Action inputs without a schema library. Every input arrives as one string, so a field is a function: the
 * raw (trimmed) text in, the value out, `refuse(message)` for the user's mistake. An action's schema is its
 * fields keyed by the kebab-case names of its action.yml (`defineInputs`). No zod here: each bundle's entry
 * checks the inputs with these before it loads anything else (preflight.ts), and zod alone (~160 kB) cost a
 * bad-input run about 35 ms on top of Node's own ~95 ms start (bench/ cold-start). zod stays where documents
 * are validated (the ledger, the incident state, health checks), which only run() loads.
 */

/** Reads the raw (already trimmed) value of one input, as `core.getInput` does. */
export type InputReader = (name: string) => string;

/** One input's parser: raw text in, value out; throws through refuse() when the text is wrong. */
export type Field<T> = (raw: string) => T;

export type InputShape = Readonly<Record<string, Field<unknown>>>;

/** An action's inputs: its fields, keyed (and checked in order) as in its action.yml. */
export interface InputSchema<S extends InputShape = InputShape> {
  readonly shape: S;
}

/** The parsed inputs of a schema: each name with its field's value. */
export type InputsOf<T extends InputSchema> = { -readonly [K in keyof T['shape']]: ReturnType<T['shape'][K]> };

export function defineInputs<S extends InputShape>(shape: S): InputSchema<S> {
  return { shape };
}

/** The fields of `shape` named in `keys`, in that order (inputs one action shares with another). */
export function pickFields<S extends InputShape, K extends keyof S>(shape: S, keys: readonly K[]): Pick<S, K> {
  const out = {} as Pick<S, K>;
  for (const key of keys) out[key] = shape[key];
  return out;
}

/** What a field throws for a wrong value; parseInputs names the input in front of the message. */
class InputRefused extends Error {}

/** Refuses the value of the field being parsed: `message` says what is wrong (`must be true or false, got "y"`). */
export function refuse(message: string): never {
  throw new InputRefused(message);
}

/**
 * Parses every field of an action's schema from the reader, in order. The first problem becomes a
 * ConfigurationError naming the input: `Input "tags": must not be empty`. Anything else a field throws is a bug
 * and goes on as it is.
 */
export function parseInputs<S extends InputShape>(schema: InputSchema<S>, read: InputReader): InputsOf<InputSchema<S>> {
  // Every input is read before any is parsed: reading is what masks a secret (the reader does), and a refused
  // input earlier in the list must not leave a later token unmasked.
  const raw = new Map(Object.keys(schema.shape).map((name) => [name, read(name)]));
  const parsed: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    try {
      parsed[name] = field(raw.get(name)!);
    } catch (error) {
      if (!(error instanceof InputRefused)) throw error;
      throw new ConfigurationError(`Input "${name}": ${error.message}`);
    }
  }
  return parsed as InputsOf<InputSchema<S>>;
}

// ---- reusable field types (all inputs arrive as strings) ----

const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

/** The YAML 1.2 core schema booleans, exactly the set `core.getBooleanInput` accepts. */
export const booleanInput =
  (fallback: boolean): Field<boolean> =>
  (v) => {
    if (v === '') return fallback;
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
    return refuse(`must be true or false, got ${JSON.stringify(v)}`);
  };

/** Any text, as given (empty included). */
export const text = (): Field<string> => (v) => v;

export const optionalString = (): Field<string | undefined> => (v) => (v === '' ? undefined : v);

export const requiredString =
  (message = 'is required'): Field<string> =>
  (v) =>
    v === '' ? refuse(message) : v;

export const choiceInput =
  <T extends string>(values: readonly [T, ...T[]], fallback: T): Field<T> =>
  (v) => {
    if (v === '') return fallback;
    if ((values as readonly string[]).includes(v)) return v as T;
    return refuse(`must be one of ${values.join(', ')}, got ${JSON.stringify(v)}`);
  };

/** Comma- or newline-separated list; blanks dropped. */
export function splitList(v: string): string[] {
  return v
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export const listInput = (): Field<string[]> => splitList;

export const integerInput =
  (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): Field<number> =>
  (v) => {
    if (v === '') return fallback;
    if (!/^\d+$/.test(v)) return refuse(`must be a whole number, got ${JSON.stringify(v)}`);
    const n = Number(v);
    if (n < min || n > max) return refuse(`must be between ${min} and ${max}, got ${n}`);
    return n;
  };

export const SHA_RE = /^[0-9a-f]{40}$/;
export const shaInput = (): Field<string | undefined> => (v) => {
  if (v === '') return undefined;
  const lower = v.toLowerCase();
  if (!SHA_RE.test(lower)) return refuse(`must be a full 40-character hexadecimal commit SHA, got ${JSON.stringify(v)}`);
  return lower;
};

/** A path inside the repository: relative, no `..`, no control characters, of a sane length. */
export const repoPathInput = (): Field<string> => (v) => {
  const p = v.replace(/^\.\//, '');
  // eslint-disable-next-line no-control-regex -- control characters are what is being refused
  const bad = p === '' ? 'is required' : p.length > 1024 ? 'is longer than 1024 characters' : /[\x00-\x1f\x7f]/.test(p) ? 'contains control characters' : p.startsWith('/') ? 'must be relative to the repository root' : p.split('/').some((s) => s === '..' || s === '') ? 'must not contain .. or empty segments' : undefined;
  if (bad) return refuse(bad);
  return p;
};

/** An optional branch name, as `git check-ref-format --branch` would accept it, of a sane length. */
export const branchInput = (): Field<string | undefined> => (v) => {
  if (v === '') return undefined;
  const b = v.replace(/^refs\/heads\//, '');
  // eslint-disable-next-line no-control-regex -- control characters are what is being refused
  const bad = b.length > 255 || /(^[.\-/])|([/.]$)|(\.\.)|([\s~^:?*[\\\x00-\x1f\x7f])|(@\{)|(\/\/)|(\.lock$)|(\/\.)/.test(b) || b === '@';
  if (bad) return refuse(`${JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v)} is not a valid branch name`);
  return b;
};
