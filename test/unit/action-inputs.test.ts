/**
 * src/core/action/inputs.ts: the schema-library-free input layer every bundle's entry checks inputs with
 * (preflight) and every run() parses them with. What the runner and the user see depends on three things here:
 * the first bad input in the action.yml's order is the one named, every input is read (and so masked) before
 * any is refused, and a bug in a field is not dressed up as the user's mistake.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/action/errors.js';
import { booleanInput, choiceInput, defineInputs, integerInput, parseInputs, pickFields, refuse, text } from '../../src/core/action/inputs.js';

const schema = defineInputs({
  mode: choiceInput(['open', 'resolve'] as const, 'open'),
  count: integerInput(3, 1, 10),
  token: text(),
  'dry-run': booleanInput(false),
});

const reader = (given: Record<string, string>, seen: string[] = []) => (name: string) => {
  seen.push(name);
  return given[name] ?? '';
};

describe('parseInputs', () => {
  it('applies each field: fallbacks for empty inputs, parsed values otherwise', () => {
    expect(parseInputs(schema, reader({}))).toEqual({ mode: 'open', count: 3, token: '', 'dry-run': false });
    expect(parseInputs(schema, reader({ mode: 'resolve', count: '7', token: 't', 'dry-run': 'TRUE' }))).toEqual({ mode: 'resolve', count: 7, token: 't', 'dry-run': true });
  });

  it('names the first refused input in the order of the schema, as one ConfigurationError', () => {
    const bad = () => parseInputs(schema, reader({ count: 'many', 'dry-run': 'yes' }));
    expect(bad).toThrow(ConfigurationError);
    expect(bad).toThrow('Input "count": must be a whole number, got "many"');
  });

  it('reads every input before it refuses one, so a later secret is still read (and masked by the reader)', () => {
    const seen: string[] = [];
    expect(() => parseInputs(schema, reader({ mode: 'sideways', token: 'ghs_secret' }, seen))).toThrow('Input "mode"');
    expect(seen).toEqual(['mode', 'count', 'token', 'dry-run']);
  });

  it('lets a bug in a field through as it is, not as the user’s mistake', () => {
    const buggy = defineInputs({
      x: (): string => {
        throw new TypeError('boom');
      },
    });
    expect(() => parseInputs(buggy, reader({}))).toThrow(TypeError);
  });

  it('a custom field refuses with its own words', () => {
    const custom = defineInputs({ digest: (v: string) => (v.startsWith('sha256:') ? v : refuse('must be a sha256: digest')) });
    expect(() => parseInputs(custom, reader({ digest: 'md5:1' }))).toThrow('Input "digest": must be a sha256: digest');
  });
});

describe('pickFields', () => {
  it('keeps the very same field functions, in the order asked', () => {
    const picked = pickFields(schema.shape, ['token', 'mode']);
    expect(Object.keys(picked)).toEqual(['token', 'mode']);
    expect(picked.mode).toBe(schema.shape.mode);
  });
});
