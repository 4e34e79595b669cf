import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cell, neutralise } from '../../src/core/util/text.js';

// Untrusted text (commit messages, details, report values) must not notify anyone or act on issues.
const live = [/@[A-Za-z0-9]/, /#\d/, /&#\d+;/, /<[a-z!/]/i, /\/issues\/\d/, /\b(close[sd]?|fix(e[sd])?|resolve[sd]?)\s*:?\s*#/i, /`/];

describe('neutralise', () => {
  it.each([
    ['@octocat please look', /@\u200boctocat/],
    ['fixes #12 and closes acme/app#3', /#\u200b12/],
    ['&#64;admin', /&amp;#/],
    ['<img src=x onerror=alert(1)>', /&lt;img/],
    ['see https://github.com/acme/app/issues/9', /issues\u200b\/9/],
    ['GH-7', /GH-\u200b7/],
  ])('%s', (input, expected) => {
    const out = neutralise(input);
    expect(out).toMatch(expected);
    for (const re of live) expect(out).not.toMatch(re);
  });

  it('never leaves a live mention, reference, tag or closing keyword in any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'@#&;<>/`ab1 closesfixGH-issue'.split('')), maxLength: 60 }), (s) => {
        const out = neutralise(s);
        for (const re of live) expect(out).not.toMatch(re);
      }),
      { numRuns: 500 },
    );
  });

  it('cell keeps a table row on one line', () => {
    expect(cell('a|b\nc')).toBe('a\\|b c');
  });
});
