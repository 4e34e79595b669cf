import fc from 'fast-check';
import { afterEach } from 'vitest';
import { takeLiveViolations, violationsError } from './support/github-standin/violations.js';

// Property tests explore new random cases on every local run; CI pins the seed (script/test sets
// GREENLINE_FUZZ_SEED) so a landing never depends on luck, and any failure can be replayed with that seed.
const seed = process.env.GREENLINE_FUZZ_SEED;
if (seed) fc.configureGlobal({ seed: Number(seed) });

// Every test that talks to the GitHub stand-in fails when a request or an answer broke GitHub's OpenAPI
// description during it (the stand-in's stop() reports what happened outside a test).
afterEach(() => {
  const violations = takeLiveViolations();
  if (violations.length > 0) throw violationsError(violations);
});
